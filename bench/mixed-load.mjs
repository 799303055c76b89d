// The writing half of bench/mixed-load.sh: whole-class resets and sign-ins
// at fixed rates, alternating between the instances, for SECONDS seconds.
// Each request starts on schedule whether or not earlier ones have answered.
// Prints one JSON line: counts by outcome, and which resets succeeded.
//
//   URLS=http://a,http://b ADMIN_COOKIE=id=… SECONDS=60 node bench/mixed-load.mjs
const urls = process.env.URLS.split(",");
const cookie = process.env.ADMIN_COOKIE;
const seconds = Number(process.env.SECONDS ?? 60);
const resetsPerSecond = Number(process.env.RESETS_PER_SECOND ?? 2);
const signInsPerSecond = Number(process.env.SIGN_INS_PER_SECOND ?? 10);
const staff = [
  ["OAK", "teacher", "oakwood-teacher-1"],
  ["OAK", "lead", "oakwood-lead-1"],
  ["OAK", "office", "oakwood-office-1"],
  ["RIV", "teacher", "riverside-teacher-1"],
];

async function call(url, name, form, headers = {}) {
  const started = performance.now();
  try {
    const response = await fetch(`${url}/api/${name}`, {
      method: "POST",
      headers: { "sec-fetch-site": "same-origin", "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams(form),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    return { status: response.status, text, ms: performance.now() - started };
  } catch (error) {
    return { status: 0, text: String(error), ms: performance.now() - started };
  }
}

const classes = JSON.parse((await call(urls[0], "list_classes", {}, { cookie })).text);
const oakClasses = classes.map((c) => c.id);
if (oakClasses.length === 0) throw new Error("no classes: is ADMIN_COOKIE signed in?");

// A busy morning comes from many schools' networks, through the proxy the
// instances trust (CLASSKEYS_TRUSTED_PROXIES): sign-ins from 40 networks,
// resets from 3 offices. From one address, the per-network limits would
// rightly hold everything back together.
const network = (n) => `10.${n}.0.1`;

const tally = { resets: {}, signIns: {}, errors: [], resetMs: [], signInMs: [] };
const count = (kind, status) => (tally[kind][status] = (tally[kind][status] ?? 0) + 1);
const pending = [];
let resetNumber = 0;
let signInNumber = 0;

function every(perSecond, action) {
  return setInterval(() => pending.push(action()), 1000 / perSecond);
}

// Two resets of one class at once are refused by design (409, the second
// was made from a stale view): like teachers, the load resets a class that
// is not being reset right now.
const resetting = new Set();
let nextClass = 0;
const resetTimer = every(resetsPerSecond, async () => {
  const n = resetNumber++;
  const url = urls[n % urls.length];
  let classId;
  for (let tried = 0; tried < oakClasses.length && !classId; tried++) {
    const candidate = oakClasses[nextClass++ % oakClasses.length];
    if (!resetting.has(candidate)) classId = candidate;
  }
  if (!classId) {
    count("resets", "skipped: every class busy");
    return;
  }
  resetting.add(classId);
  const answer = await call(
    url,
    "reset_class_passwords",
    { class_id: classId, mode: "NewPasswordEach" },
    { cookie, "x-forwarded-for": network(200 + (n % 3)) },
  );
  resetting.delete(classId);
  count("resets", answer.status);
  tally.resetMs.push(answer.ms);
  if (answer.status !== 200) tally.errors.push(`reset ${answer.status}: ${answer.text.slice(0, 200)}`);
});
const signInTimer = every(signInsPerSecond, async () => {
  const n = signInNumber++;
  const url = urls[n % urls.length];
  const [school_code, username, password] = staff[n % staff.length];
  const answer = await call(url, "sign_in", { school_code, username, password }, { "x-forwarded-for": network(n % 40) });
  count("signIns", answer.status);
  tally.signInMs.push(answer.ms);
  if (answer.status !== 200) tally.errors.push(`sign-in ${answer.status}: ${answer.text.slice(0, 200)}`);
});

await new Promise((done) => setTimeout(done, seconds * 1000));
clearInterval(resetTimer);
clearInterval(signInTimer);
await Promise.all(pending);
const p95 = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.floor(sorted.length * 0.95)] ?? 0);
};
console.log(
  JSON.stringify({
    resets: tally.resets,
    signIns: tally.signIns,
    resetP95Ms: p95(tally.resetMs),
    signInP95Ms: p95(tally.signInMs),
    errors: tally.errors.slice(0, 10),
  }),
);
