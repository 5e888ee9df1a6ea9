/**
 * Name material for generated people. A few names carry diacritics or
 * non-Latin-1 letters on purpose: usernames are ASCII in Slack, real names
 * are not, and the archive must cope with both.
 */
/** Given names; combined with {@link LAST_NAMES} for generated people. */
export const FIRST_NAMES = [
  "Alice", "Boris", "Chidi", "Dana", "Elena", "Farid", "Grace", "Hiro", "Ivan", "Priya", "Jonas", "Keiko",
  "Liam", "Mia", "Noah", "Olga", "Pedro", "Quinn", "Rosa", "Sven", "Tariq", "Uma", "Victor", "Wen", "Ximena",
  "Yusuf", "Zoë", "Amara", "Bjørn", "Camille", "Diego", "Emeka", "Fatima", "Gustavo", "Hana", "Isak", "Józef",
  "Kofi", "Lena", "Mateo", "Nadia", "Oskar", "Paula", "Rahul", "Sofia", "Tomás", "Ulla", "Vikram", "Yara", "Łukasz",
] as const;

/** Family names. */
export const LAST_NAMES = [
  "Nguyen", "Petrov", "Okafor", "Levi", "García", "Haddad", "Kim", "Tanaka", "Sokolov", "Shah", "Müller",
  "Smith", "Johnson", "Rossi", "Dubois", "Kowalski", "Silva", "Andersen", "O'Brien", "Yilmaz", "Chen", "Park",
  "Ivanova", "Novak", "Costa", "Fischer", "Hansen", "Ito", "Khan", "Lopez", "Mensah", "Nakamura", "Olsen",
  "Patel", "Quispe", "Reyes", "Schmidt", "Takahashi", "Uddin", "Varga", "Wójcik", "Xu", "Yamamoto", "Zhou",
  "Adeyemi", "Berg", "Castro", "Dahl", "Eriksen", "Ferreira",
] as const;

/** Profile titles (empty: none set). */
export const JOB_TITLES = [
  "Site Reliability Engineer", "Backend Engineer", "Platform Engineer", "Database Administrator", "Support Lead",
  "Engineering Manager", "Frontend Engineer", "Security Engineer", "Data Engineer", "Compliance Officer",
  "Network Engineer", "Product Manager", "",
] as const;

const ASCII_FOLD: Record<string, string> = { "ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "'": "" };

/** A Slack-style username (`first.last`, lowercase ASCII) for a real name. */
export function usernameFor(first: string, last: string): string {
  const fold = (s: string) =>
    s
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/[łŁøØ']/g, (c) => ASCII_FOLD[c] ?? "")
      .toLowerCase()
      .replace(/[^a-z0-9]/g, "");
  return `${fold(first)}.${fold(last)}`;
}
