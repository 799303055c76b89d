// The load half of bench/postgres-outage.sh: CLIENTS loops reading URL for
// SECONDS seconds; prints every answer as one JSON line per request
// ({t, status, ms}, t in ms since the start) for the shell to sum up.
const url = process.env.URL;
const cookie = process.env.COOKIE;
const seconds = Number(process.env.SECONDS ?? 30);
const clients = Number(process.env.CLIENTS ?? 8);
const start = performance.now();
const results = [];
async function loop() {
  while (performance.now() - start < seconds * 1000) {
    const t = performance.now();
    let status = 0;
    let body = "";
    try {
      const response = await fetch(url, { headers: { cookie }, signal: AbortSignal.timeout(30_000) });
      status = response.status;
      body = await response.text();
    } catch (error) {
      body = String(error);
    }
    const ms = performance.now() - t;
    results.push({ t: Math.round(t - start), status, ms: Math.round(ms), says: status === 200 ? "" : body.slice(0, 300) });
    if (status !== 200) await new Promise((done) => setTimeout(done, 50));
  }
}
await Promise.all(Array.from({ length: clients }, loop));
for (const r of results) console.log(JSON.stringify(r));
