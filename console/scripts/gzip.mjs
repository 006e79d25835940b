// Writes X.gz beside every .js, .css, .svg and .html file in dist/: the server sends it with
// Content-Encoding: gzip when the browser accepts it.
import { readdirSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, constants } from 'node:zlib';

const root = new URL('../dist/', import.meta.url).pathname;
let js = 0;
let css = 0;

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      walk(path);
    } else if (/\.(js|css|svg|html)$/.test(name)) {
      const gz = gzipSync(readFileSync(path), { level: constants.Z_BEST_COMPRESSION });
      writeFileSync(`${path}.gz`, gz);
      if (name.endsWith('.js')) js += gz.length;
      if (name.endsWith('.css')) css += gz.length;
    }
  }
}

walk(root);
console.log(`gzip: ${(js / 1024).toFixed(1)} kB JS, ${(css / 1024).toFixed(1)} kB CSS (all chunks, compressed)`);
