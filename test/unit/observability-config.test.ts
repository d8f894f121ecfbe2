import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { requestLine } from '../../src/logger.js';

describe('tracing configuration', () => {
  it('when nothing is set, then tracing is off and logs are JSON', () => {
    const c = loadConfig({});
    expect(c.tracing).toEqual({ enabled: false, otlpEndpoint: undefined, serviceName: 'tuyendung' });
    expect(c.logFormat).toBe('json');
    expect(c.metrics.dbCacheMs).toBe(5_000);
  });

  it('when a collector is set, then tracing is on and spans go to its /v1/traces', () => {
    const c = loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318/' });
    expect(c.tracing).toEqual({ enabled: true, otlpEndpoint: 'http://otel-collector:4318/v1/traces', serviceName: 'tuyendung' });
  });

  it('when a collector is set but tracing is switched off, then it stays off', () => {
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', TRACING_ENABLED: 'false' }).tracing.enabled).toBe(false);
    expect(loadConfig({ TRACING_ENABLED: 'true' }).tracing).toMatchObject({ enabled: true, otlpEndpoint: undefined });
  });

  it('when a value is not understood, then the configuration is refused', () => {
    expect(() => loadConfig({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT/);
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
    expect(() => loadConfig({ TRACING_ENABLED: 'maybe' })).toThrow(/TRACING_ENABLED/);
  });
});

describe('the request line', () => {
  it('when a request is answered, then the line has the route pattern, never the URL', () => {
    const line = requestLine({ method: 'GET', id: 'r1', routeOptions: { url: '/v1/candidates/:id' }, principal: { keyId: 'k-1' } }, 200, 12.345);
    expect(line).toEqual({ method: 'GET', route: '/v1/candidates/:id', status: 200, ms: 12.3, keyId: 'k-1' });
    expect(requestLine({ method: 'GET', id: 'r2', routeOptions: {}, principal: null }, 404, 1)).toEqual({ method: 'GET', route: 'unmatched', status: 404, ms: 1 });
  });
});
