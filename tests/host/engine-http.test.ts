// The engine behind the real server: a durable-client starter, status polling over HTTP, and a
// failed instance reported as HTTP 200 with runtimeStatus Failed (as the extension does).
import axios from 'axios';
import { useEngineHost } from './engineHost';

const engine = useEngineHost();

const http = axios.create({ validateStatus: () => true });

async function pollUntilFinal(url: string): Promise<{ status: number; data: Record<string, unknown> }> {
  for (;;) {
    const res = await http.get(url);
    if (res.status !== 202) return { status: res.status, data: res.data as Record<string, unknown> };
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('an HTTP starter gets a working durable client and check-status URLs on this host', async () => {
  expect(process.env.WEBSITE_HOSTNAME).toBe(new URL(engine.host.url).host);
  const res = await http.post(`${engine.host.apiUrl}/orchestrators/hello`, ['Kyiv']);
  expect(res.status).toBe(202);
  const body = res.data as { id: string; statusQueryGetUri: string };
  expect(body.statusQueryGetUri.startsWith(engine.host.url)).toBe(true);
  const final = await pollUntilFinal(body.statusQueryGetUri);
  expect(final.status).toBe(200);
  expect(final.data).toMatchObject({
    runtimeStatus: 'Completed',
    output: ['Hello Kyiv'],
    instanceId: body.id,
  });
});

test('a failed orchestration is HTTP 200 with runtimeStatus Failed on the status endpoint', async () => {
  const res = await http.post(`${engine.host.apiUrl}/orchestrators/failing`);
  expect(res.status).toBe(202);
  const final = await pollUntilFinal((res.data as { statusQueryGetUri: string }).statusQueryGetUri);
  expect(final.status).toBe(200);
  expect(final.data).toMatchObject({
    runtimeStatus: 'Failed',
    output: "Orchestrator function 'failing' failed: boom",
  });
});
