"""Records every command this Errbot runs in Backscroll.

Configuration (environment):
  BACKSCROLL_URL        e.g. https://backscroll.example.com
  BACKSCROLL_BOT_TOKEN  from `backscroll token create --bot errbot`
  BACKSCROLL_BOT_NAME   defaults to "errbot" (must match the token's bot)

Errbot calls `callback_message` for every message, but a command's result is
only known to the command itself, so this plugin wraps every command of every
plugin when it activates: each run is posted when it starts and again when it
ends (same id; Backscroll keeps one record). Secrets in arguments and output
are masked by Backscroll before storage.
"""

import datetime
import functools
import json
import os
import urllib.request
import uuid

from errbot import BotPlugin

URL = os.environ.get("BACKSCROLL_URL", "")
TOKEN = os.environ.get("BACKSCROLL_BOT_TOKEN", "")
BOT = os.environ.get("BACKSCROLL_BOT_NAME", "errbot")


def _now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat()


def _post(log, execution):
    req = urllib.request.Request(
        URL.rstrip("/") + "/api/executions",
        data=json.dumps(execution).encode("utf-8"),
        headers={"Content-Type": "application/json", "Authorization": "Bearer " + TOKEN},
        method="POST",
    )
    try:
        with urllib.request.urlopen(req, timeout=5) as res:
            res.read()
    except Exception as e:  # the chat must keep working when the archive is down
        log.warning("backscroll: %s", e)


class Backscroll(BotPlugin):
    """Wraps every command so each run is recorded."""

    def activate(self):
        super().activate()
        if not URL or not TOKEN:
            self.log.warning("backscroll: BACKSCROLL_URL and BACKSCROLL_BOT_TOKEN are required; not recording commands")
            return
        for name, command in list(self._bot.all_commands.items()):
            if getattr(command, "_backscroll", False):
                continue
            self._bot.all_commands[name] = self._wrap(name, command)

    def _wrap(self, name, command):
        log = self.log

        @functools.wraps(command)
        def wrapper(msg, args):
            frm = getattr(msg, "frm", None)
            extras = getattr(msg, "extras", {}) or {}
            base = {
                "id": str(uuid.uuid4()),
                "bot": BOT,
                "command": name,
                "arguments": args.split() if isinstance(args, str) else args,
                "invoker": getattr(frm, "userid", None) or str(frm) if frm else None,
                "channel": getattr(getattr(frm, "room", None), "id", None),
                "messageTs": extras.get("ts") if isinstance(extras, dict) else None,
                "startedAt": _now(),
            }
            _post(log, dict(base, status="running"))
            try:
                result = command(msg, args)
                if hasattr(result, "__next__"):  # streaming commands yield their output
                    result = "\n".join(str(x) for x in result)
            except Exception as e:
                _post(log, dict(base, status="failed", exitCode=1, finishedAt=_now(), output=repr(e)))
                raise
            _post(log, dict(base, status="succeeded", exitCode=0, finishedAt=_now(), output=None if result is None else str(result)))
            return result

        wrapper._backscroll = True
        return wrapper
