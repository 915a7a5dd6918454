const PATTERN = /^(?:inc-?)?#?(\d{1,9})$/i;

export function formatIncidentId(n: number) {
  return `INC-${n}`;
}

/** Reads what people type ('INC-42', 'inc-42', '42', '#42'); undefined when it is no ID. */
export function parseIncidentId(text: string): string | undefined {
  const match = PATTERN.exec(text.trim());
  if (!match) return undefined;
  return formatIncidentId(Number(match[1]));
}
