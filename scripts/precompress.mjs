// Compresses the built site's static files once, at build time: a `.br`
// (brotli, quality 11) and a `.gz` (gzip, level 9) beside each file, which
// the server sends as they are (ServeDir::precompressed_br/_gzip), so no
// request pays for compressing the WebAssembly again.
//
//   node scripts/precompress.mjs target/site/pkg
import { readdirSync, readFileSync, statSync, writeFileSync, unlinkSync, existsSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, gzipSync, constants } from "node:zlib";

const dir = process.argv[2];
if (!dir) throw new Error("usage: node scripts/precompress.mjs <folder>");
const compressed = /\.(br|gz)$/;
let made = 0;
for (const name of readdirSync(dir)) {
  const path = join(dir, name);
  if (compressed.test(name)) {
    // Left over from an earlier build whose hashed file is gone.
    if (!existsSync(path.replace(compressed, ""))) unlinkSync(path);
    continue;
  }
  if (!statSync(path).isFile()) continue;
  const source = readFileSync(path);
  const fresh = (target) => existsSync(target) && statSync(target).mtimeMs >= statSync(path).mtimeMs;
  if (!fresh(`${path}.br`)) {
    writeFileSync(
      `${path}.br`,
      brotliCompressSync(source, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: 11,
          [constants.BROTLI_PARAM_SIZE_HINT]: source.length,
        },
      }),
    );
    made++;
  }
  if (!fresh(`${path}.gz`)) {
    writeFileSync(`${path}.gz`, gzipSync(source, { level: 9 }));
    made++;
  }
}
console.log(`[precompress] ${made} compressed files written in ${dir}`);
