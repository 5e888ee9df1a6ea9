"use client";

import { useEffect, useRef, useState } from "react";

type TSuggestion = { kind: "channel" | "person"; value: string; label: string };

/** The operator being typed at the end of the query (in:#… or from:@…), if any. */
function findTypedOperator(q: string): { kind: "channel" | "person"; prefix: string; start: number } | null {
  const m = /(?:^|\s|\()(-?)(in:#?|from:@?)([^\s()]*)$/.exec(q);
  if (!m) return null;
  const start = q.length - m[2]!.length - m[3]!.length;
  return { kind: m[2]!.startsWith("in") ? "channel" : "person", prefix: m[3]!, start };
}

/** The search box: a plain GET form (works without JavaScript) with autocomplete for channels and people. */
export function SearchBoxClient({ defaultValue, sort, autoFocus = false }: { defaultValue: string; sort?: string; autoFocus?: boolean }) {
  const [q, setQ] = useState(defaultValue);
  const [suggestions, setSuggestions] = useState<TSuggestion[]>([]);
  const [active, setActive] = useState(-1);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const op = findTypedOperator(q);
    if (!op) {
      setSuggestions([]);
      return;
    }
    const ac = new AbortController();
    const timer = setTimeout(() => {
      fetch(`/api/search?suggest=${op.kind}&prefix=${encodeURIComponent(op.prefix)}`, { signal: ac.signal, headers: { accept: "application/json" } })
        .then((r) => (r.ok ? r.json() : { suggestions: [] }))
        .then((d: { suggestions: TSuggestion[] }) => {
          setSuggestions(d.suggestions);
          setActive(-1);
        })
        .catch(() => undefined);
    }, 120);
    return () => {
      clearTimeout(timer);
      ac.abort();
    };
  }, [q]);

  function choose(s: TSuggestion) {
    const op = findTypedOperator(q);
    if (!op) return;
    const value = /\s/.test(s.value) ? `"${s.value}"` : s.value;
    setQ(`${q.slice(0, op.start)}${s.kind === "channel" ? "in:#" : "from:@"}${value} `);
    setSuggestions([]);
    input.current?.focus();
  }

  return (
    <form method="get" action="/search" className="search-form" role="search">
      <label className="visually-hidden" htmlFor="search-q">
        Search
      </label>
      <div className="search-box">
        <input
          ref={input}
          id="search-q"
          name="q"
          type="search"
          value={q}
          autoFocus={autoFocus}
          autoComplete="off"
          placeholder='Search: api-gw-03 in:#ops from:@alice "HTTP 503" after:2024-01'
          aria-autocomplete="list"
          aria-controls="search-suggestions"
          onChange={(e) => setQ(e.target.value)}
          onKeyDown={(e) => {
            if (suggestions.length === 0) return;
            if (e.key === "ArrowDown") {
              e.preventDefault();
              setActive((a) => Math.min(suggestions.length - 1, a + 1));
            } else if (e.key === "ArrowUp") {
              e.preventDefault();
              setActive((a) => Math.max(0, a - 1));
            } else if ((e.key === "Enter" || e.key === "Tab") && active >= 0) {
              e.preventDefault();
              choose(suggestions[active]!);
            } else if (e.key === "Escape") setSuggestions([]);
          }}
          data-testid="search-input"
        />
        {sort && sort !== "relevance" ? <input type="hidden" name="sort" value={sort} /> : null}
        <button type="submit" className="button">
          Search
        </button>
        {suggestions.length > 0 && (
          <ul id="search-suggestions" className="search-suggestions" role="listbox" data-testid="search-suggestions">
            {suggestions.map((s, i) => (
              <li key={`${s.kind}:${s.value}`} role="option" aria-selected={i === active}>
                <button type="button" className={i === active ? "active" : ""} onMouseDown={(e) => e.preventDefault()} onClick={() => choose(s)}>
                  {s.label}
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
    </form>
  );
}
