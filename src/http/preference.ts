/**
 * The comma-separated ranges of an Accept-style header (Accept, Accept-Language) with their
 * q-values, best first and in the client's order among equals (RFC 9110 §12.4.2, §12.5.1); ranges
 * with q=0 are dropped; at most 50 are read.
 */
export function preferenceRanges(header: string): { value: string; q: number; index: number }[] {
  return header
    .split(',')
    .slice(0, 50)
    .map((part, index) => {
      const [value = '', ...params] = part.trim().toLowerCase().split(';');
      let q = 1;
      for (const p of params) {
        const [k, v] = p.trim().split('=');
        if (k === 'q' && v !== undefined) {
          const n = Number(v);
          q = Number.isFinite(n) ? Math.min(Math.max(n, 0), 1) : 0;
        }
      }
      return { value: value.trim(), q, index };
    })
    .filter((r) => r.value.length > 0 && r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
}
