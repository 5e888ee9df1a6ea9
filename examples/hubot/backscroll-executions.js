// Description:
//   Records every command Hubot runs in Backscroll (POST /api/executions).
//
// Configuration:
//   BACKSCROLL_URL        e.g. https://backscroll.example.com
//   BACKSCROLL_BOT_TOKEN  from `backscroll token create --bot hubot`
//   BACKSCROLL_BOT_NAME   defaults to "hubot" (must match the token's bot)
//
// Notes:
//   Put this file in your Hubot's scripts/ folder. It wraps every listener:
//   each matched command is posted once when it starts and again when it
//   finishes (same id: Backscroll keeps one record and updates it). A
//   listener that throws is recorded as failed with the error as output.
//   Secrets in arguments and output are masked by Backscroll before storage.

const URL_BASE = process.env.BACKSCROLL_URL;
const TOKEN = process.env.BACKSCROLL_BOT_TOKEN;
const BOT = process.env.BACKSCROLL_BOT_NAME || "hubot";

async function record(robot, execution) {
  try {
    const res = await fetch(`${URL_BASE}/api/executions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(execution),
    });
    if (res.status >= 400) robot.logger.warning(`backscroll: ${res.status} ${await res.text()}`);
  } catch (e) {
    robot.logger.warning(`backscroll: ${e.message}`);
  }
}

module.exports = (robot) => {
  if (!URL_BASE || !TOKEN) {
    robot.logger.warning("backscroll: BACKSCROLL_URL and BACKSCROLL_BOT_TOKEN are required; not recording commands");
    return;
  }
  robot.listenerMiddleware((context, next, done) => {
    const msg = context.response.message;
    const text = (msg.text || "").replace(new RegExp(`^@?${robot.name}:?\\s*`, "i"), "");
    const [command = "", ...args] = text.trim().split(/\s+/);
    const base = {
      id: globalThis.crypto.randomUUID(),
      bot: BOT,
      command,
      arguments: args,
      invoker: msg.user && msg.user.id ? String(msg.user.id) : null,
      channel: msg.room || null,
      // Slack adapters expose the message ts as the message id.
      messageTs: /^\d+\.\d+$/.test(String(msg.id || "")) ? String(msg.id) : null,
      startedAt: new Date().toISOString(),
    };
    void record(robot, { ...base, status: "running" });
    const finish = (status, output) => void record(robot, { ...base, status, finishedAt: new Date().toISOString(), exitCode: status === "succeeded" ? 0 : 1, output });
    try {
      next(() => {
        finish("succeeded", null);
        done();
      });
    } catch (e) {
      finish("failed", String((e && e.stack) || e));
      throw e;
    }
  });
};
