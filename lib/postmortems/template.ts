import { AppError } from "../errors";

/**
 * Postmortem templates: Markdown with `{{placeholder}}`s. The default follows
 * the structure of widely published postmortem templates (summary, impact,
 * timeline, contributing factors, resolution, lessons learned — what went
 * well, what went wrong —, action items, stats).
 */

/** Every placeholder a template may use. */
export const PLACEHOLDERS = [
  "title",
  "summary",
  "impact",
  "detection",
  "response",
  "participants",
  "timeline",
  "actions",
  "resolution",
  "contributing_factors",
  "went_well",
  "went_poorly",
  "action_items",
  "links",
  "metrics",
  "severity",
  "status",
  "channel",
  "started",
  "resolved",
  "generated_note",
] as const;
export type TPlaceholder = (typeof PLACEHOLDERS)[number];

/** The default template. */
export const DEFAULT_TEMPLATE = `# Postmortem: {{title}}

{{generated_note}}

| | |
| --- | --- |
| Severity | {{severity}} |
| Status | {{status}} |
| Channel | {{channel}} |
| Started | {{started}} |
| Resolved | {{resolved}} |

## Summary

{{summary}}

## Impact

{{impact}}

## Detection

{{detection}}

## Response

{{response}}

### Participants

{{participants}}

## Timeline

{{timeline}}

## Actions and commands run

{{actions}}

## Resolution

{{resolution}}

## Contributing factors

{{contributing_factors}}

## Lessons learned

### What went well

{{went_well}}

### What went poorly

{{went_poorly}}

## Action items

{{action_items}}

## Links

{{links}}

## Metrics

{{metrics}}
`;

/** Check a template: every placeholder must be known. */
export function validateTemplate(template: string, file?: string): void {
  const lines = template.split("\n");
  for (const [i, line] of lines.entries()) {
    for (const m of line.matchAll(/\{\{\s*([\w.]+)\s*\}\}/g)) {
      if (!(PLACEHOLDERS as readonly string[]).includes(m[1]!)) {
        throw new AppError("bad_input", `Unknown placeholder {{${m[1]}}}; known: ${PLACEHOLDERS.join(", ")}`, { file, line: i + 1, field: m[1] });
      }
    }
  }
}

/** Fill a template's placeholders. */
export function fillTemplate(template: string, values: Record<TPlaceholder, string>): string {
  validateTemplate(template);
  return template.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_, k: string) => values[k as TPlaceholder] ?? "");
}
