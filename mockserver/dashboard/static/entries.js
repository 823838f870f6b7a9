// The feed sends journal lines as the mock stores them (short keys: formatting them for each
// dashboard would cost the mock more than the requests shown); this reads one into the shape
// of GET .../requests (RequestEntry in control.yaml), and says why it was answered as
// scenarios/requests.py `why` does.
const BODY_CAP = 4096;

export function fromLine(line) {
  let body = null;
  if (line.n) {
    body = line.b;
    if (line.n <= BODY_CAP) {
      try {
        body = JSON.parse(line.b);
      } catch {
        // not JSON: kept as text
      }
    }
  }
  return {
    id: line.i,
    time: new Date(Math.floor(line.t / 1e6)).toISOString(),
    method: line.m,
    path: line.p,
    query: line.q,
    operation: line.o,
    headers: line.h,
    body,
    truncated: line.n > BODY_CAP,
    status: line.s,
    duration_ms: line.d,
    rule: line.r,
    fault: line.f,
    prefer: line.w ?? null,
    problem: line.x ?? null,
    why: why(line),
  };
}

function why(line) {
  if (line.r) return `rule ${line.r}${line.f ? `: fault ${line.f}` : ''}`;
  if (line.w) return `Prefer: ${line.w}`;
  if (line.x) return `problem: ${line.x}`;
  if (line.o === null) return 'not in the contract';
  return "the mock's handler";
}
