/**
 * A small table of common Slack emoji names, so reactions and `:name:` in
 * text read as pictures. Names not listed stay as `:name:` (custom emoji
 * images are not archived).
 */
const EMOJI: Record<string, string> = {
  "+1": "👍", thumbsup: "👍", "-1": "👎", thumbsdown: "👎", ok_hand: "👌", clap: "👏", pray: "🙏",
  raised_hands: "🙌", wave: "👋", muscle: "💪", point_up: "☝️", point_right: "👉", eyes: "👀",
  heart: "❤️", broken_heart: "💔", fire: "🔥", tada: "🎉", rocket: "🚀", star: "⭐", sparkles: "✨",
  zap: "⚡", boom: "💥", bulb: "💡", memo: "📝", pushpin: "📌", link: "🔗", lock: "🔒", key: "🔑",
  warning: "⚠️", rotating_light: "🚨", sos: "🆘", x: "❌", heavy_check_mark: "✔️",
  white_check_mark: "✅", ballot_box_with_check: "☑️", heavy_plus_sign: "➕", question: "❓",
  exclamation: "❗", no_entry: "⛔", stop_sign: "🛑", construction: "🚧", hourglass: "⌛",
  hourglass_flowing_sand: "⏳", stopwatch: "⏱️", alarm_clock: "⏰", calendar: "📅", chart_with_upwards_trend: "📈",
  chart_with_downwards_trend: "📉", bar_chart: "📊", mag: "🔍", wrench: "🔧", hammer: "🔨",
  hammer_and_wrench: "🛠️", gear: "⚙️", package: "📦", bug: "🐛", fire_engine: "🚒", ambulance: "🚑",
  smile: "😄", smiley: "😃", grinning: "😀", joy: "😂", laughing: "😆", sweat_smile: "😅", wink: "😉",
  slightly_smiling_face: "🙂", upside_down_face: "🙃", thinking_face: "🤔", neutral_face: "😐",
  confused: "😕", cry: "😢", sob: "😭", scream: "😱", facepalm: "🤦", shrug: "🤷", sunglasses: "😎",
  party_parrot: "🦜", coffee: "☕", beer: "🍺", pizza: "🍕", green_heart: "💚", blue_heart: "💙",
  red_circle: "🔴", large_green_circle: "🟢", large_yellow_circle: "🟡", white_circle: "⚪",
  arrow_up: "⬆️", arrow_down: "⬇️", arrow_right: "➡️", arrow_left: "⬅️", repeat: "🔁", recycle: "♻️",
  100: "💯", skull: "💀", ghost: "👻", robot_face: "🤖", see_no_evil: "🙈", speech_balloon: "💬",
};

/** The character for a Slack emoji name (skin tones ignored), or null. */
export function findEmoji(name: string): string | null {
  const base = name.replace(/::skin-tone-\d$/, "");
  return EMOJI[base] ?? null;
}
