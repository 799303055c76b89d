// TEST-ONLY OpenID Provider for the ClassKeys end-to-end / integration tests.
// Built on `oidc-provider` (panva) with development interactions, in-memory
// storage, an http loopback issuer and a fixed cookie key: never use outside tests.
//
//   node end2end/oidc/provider.mjs          (env OIDC_PORT, default 0 = any free port)
//
// stdout: exactly one line, {"issuer":"http://127.0.0.1:PORT"}, once listening; all logs go
// to stderr. Exits when stdin closes (so it dies with its parent) or on SIGTERM.
// Test control endpoints (JSON bodies, answer 204):
//   POST /__test/clients   {client_id, client_secret, redirect_uris}
//   POST /__test/accounts  {sub, claims: {email, email_verified, name, hd, tid, ...}}
//   POST /__test/tamper    {mode: audience|issuer|signature|expired|nonce|none}
//                          (applies to the id_token of the NEXT successful POST /token only)
import http from 'node:http';

// oidc-provider prints notices with console.info; keep stdout for the issuer line only.
console.log = console.info = (...args) => console.error(...args);

const { default: Provider } = await import('oidc-provider');
const jose = await import('jose');

const exit = () => process.exit(0);
process.stdin.on('end', exit);
process.stdin.on('close', exit);
process.stdin.resume();
process.on('SIGTERM', exit);

// ---- signing key (the script keeps the private key, for re-signing tampered tokens) ----
const KID = 'test-rs256-1';
const ALG = 'RS256';
const signingKey = (await jose.generateKeyPair(ALG, { extractable: true })).privateKey;
const privateJwk = { ...(await jose.exportJWK(signingKey)), kid: KID, alg: ALG, use: 'sig' };

// ---- minimal in-memory adapter: one Map per model, shared so clients can be added later ----
const stores = new Map();
const grantable = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode',
  'BackchannelAuthenticationRequest', 'PreAuthorizedCode']);
class MemoryAdapter {
  constructor(model) {
    this.model = model;
    if (!stores.has(model)) stores.set(model, new Map());
    this.store = stores.get(model);
  }
  async upsert(id, payload, expiresIn) {
    this.store.set(id, { payload, exp: expiresIn ? Date.now() + expiresIn * 1000 : Infinity });
  }
  async find(id) {
    const entry = this.store.get(id);
    if (!entry) return undefined;
    if (entry.exp < Date.now()) { this.store.delete(id); return undefined; }
    return entry.payload;
  }
  async findBy(field, value) {
    for (const [id, { payload }] of this.store) if (payload[field] === value) return this.find(id);
    return undefined;
  }
  findByUid(uid) { return this.findBy('uid', uid); }
  findByUserCode(userCode) { return this.findBy('userCode', userCode); }
  async consume(id) {
    const entry = this.store.get(id);
    if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
  }
  async destroy(id) { this.store.delete(id); }
  async revokeByGrantId(grantId) {
    for (const [model, store] of stores) {
      if (!grantable.has(model)) continue;
      for (const [id, { payload }] of store) if (payload.grantId === grantId) store.delete(id);
    }
  }
}
const clients = new MemoryAdapter('Client');
const accounts = new Map(); // sub -> claims

// ---- http server first: the issuer must contain the actual port ----
let app = (req, res) => { res.writeHead(503).end(); };
const server = http.createServer((req, res) => app(req, res));
await new Promise((resolve) => server.listen(Number(process.env.OIDC_PORT || 0), '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const SCOPE = 'openid email profile';
const provider = new Provider(issuer, {
  adapter: MemoryAdapter,
  jwks: { keys: [privateJwk] },
  cookies: { keys: ['classkeys-test-only-cookie-key'] }, // not `secure`: issuer is plain http
  claims: {
    acr: null, auth_time: null, iss: null, sid: null,
    openid: ['sub', 'hd', 'tid'], email: ['email', 'email_verified'], profile: ['name'],
  },
  conformIdTokenClaims: false, // put scope claims in the ID token even with an access token
  features: { devInteractions: { enabled: true } }, // dev login form: "login" = sub
  pkce: { required: () => false },
  ttl: { AccessToken: 3600, IdToken: 3600, Interaction: 3600, Session: 86400, Grant: 86400 },
  async findAccount(ctx, sub) {
    const claims = accounts.get(sub);
    if (!claims) return undefined;
    return { accountId: sub, async claims() { return { ...claims, sub }; } };
  },
  // No consent screen: whenever there is a session, grant `openid email profile`.
  async loadExistingGrant(ctx) {
    const { oidc } = ctx;
    const grantId = oidc.result?.consent?.grantId || oidc.session.grantIdFor(oidc.client.clientId);
    if (grantId) {
      const existing = await oidc.provider.Grant.find(grantId);
      if (existing) return existing;
    }
    const grant = new oidc.provider.Grant({ clientId: oidc.client.clientId, accountId: oidc.session.accountId });
    grant.addOIDCScope(SCOPE);
    grant.addOIDCClaims(['sub', 'email', 'email_verified', 'name', 'hd', 'tid']);
    await grant.save();
    return grant;
  },
});

provider.on('server_error', (ctx, err) => console.error('[oidc] server_error', err));

// ---- fault injection on the next successful token response ----
let tamper = 'none';
const resign = async (token, edit, key = signingKey) => {
  const header = jose.decodeProtectedHeader(token);
  const payload = jose.decodeJwt(token);
  edit(payload);
  return new jose.SignJWT(payload).setProtectedHeader(header).sign(key);
};
provider.use(async (ctx, next) => {
  await next();
  if (ctx.method !== 'POST' || ctx.path !== '/token' || ctx.status !== 200) return;
  const token = ctx.body?.id_token;
  if (!token || tamper === 'none') return;
  const mode = tamper;
  tamper = 'none';
  const now = Math.floor(Date.now() / 1000);
  const edits = {
    audience: (p) => { p.aud = 'someone-else'; },
    issuer: (p) => { p.iss = 'http://127.0.0.1:1/other'; },
    expired: (p) => { p.iat = now - 7260; p.exp = now - 7200; },
    nonce: (p) => { p.nonce = 'wrong'; },
    signature: () => {},
  };
  const key = mode === 'signature' ? (await jose.generateKeyPair(ALG)).privateKey : signingKey;
  ctx.body = { ...ctx.body, id_token: await resign(token, edits[mode], key) };
  console.error(`[oidc] tampered id_token: ${mode}`);
});

// ---- test control endpoints, in front of the provider ----
const readJson = async (req) => {
  let data = '';
  for await (const chunk of req) data += chunk;
  return JSON.parse(data || '{}');
};
const control = {
  async '/__test/clients'(b) {
    if (!b.client_id || !b.client_secret || !Array.isArray(b.redirect_uris)) throw new Error('bad client');
    await clients.upsert(b.client_id, {
      client_id: b.client_id,
      client_secret: b.client_secret,
      redirect_uris: b.redirect_uris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic', // client_secret_post is accepted too
      id_token_signed_response_alg: ALG,
    });
  },
  async '/__test/accounts'(b) {
    if (typeof b.sub !== 'string' || !b.sub) throw new Error('bad account');
    accounts.set(b.sub, { ...(b.claims || {}) });
  },
  async '/__test/tamper'(b) {
    if (!['audience', 'issuer', 'signature', 'expired', 'nonce', 'none'].includes(b.mode)) throw new Error('bad mode');
    tamper = b.mode;
  },
};
const providerCallback = provider.callback();
app = async (req, res) => {
  const handler = req.method === 'POST' && control[new URL(req.url, issuer).pathname];
  if (!handler) return providerCallback(req, res);
  try {
    await handler(await readJson(req));
    res.writeHead(204).end();
  } catch (err) {
    console.error(`[oidc] ${req.url}: ${err.message}`);
    res.writeHead(400, { 'content-type': 'text/plain' }).end(String(err.message));
  }
};

process.stdout.write(`${JSON.stringify({ issuer })}\n`);
