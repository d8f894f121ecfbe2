// autocannon ships no type declarations: the little of its API the load generator uses.
declare module 'autocannon' {
  namespace autocannon {
    type Options = {
      url: string;
      connections?: number;
      duration?: number;
      amount?: number;
      timeout?: number;
      headers?: Record<string, string>;
      requests?: { method?: string; setupRequest?: (req: Record<string, unknown>) => Record<string, unknown> }[];
    };
    type Histogram = { p50: number; p90: number; p99: number; max: number; average: number };
    type Result = {
      duration: number;
      requests: Histogram & { total: number };
      latency: Histogram;
      non2xx: number;
      errors: number;
      timeouts: number;
      statusCodeStats?: Record<string, { count: number }>;
    };
  }
  function autocannon(opts: autocannon.Options): Promise<autocannon.Result>;
  export default autocannon;
}
