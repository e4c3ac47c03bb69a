#!/usr/bin/env node
// serve.mjs: the static server scripts/run starts for web/ (127.0.0.1 only).
//   node scripts/serve.mjs [--port N] [--dir DIR]        (default 8080, web/)
// Beyond plain files it sends, for the fit card's web component:
//   Access-Control-Allow-Origin: * on the scripts, wasm, catalog and stylesheet
//   (CORS_TYPES), because <script type="module" src="http://host/headroom-card.js">
//   on another origin loads the module, engine/headroom-api.mjs, headroom.wasm,
//   engine/catalog/*.json and embed.css with CORS. Pages (.html) get no CORS
//   header: nothing cross-origin needs to read them.
// tests/browser/embed.test.mjs runs the cross-origin component against
// createWebServer(), so this file and the tests agree.
import http from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const MIME = {
    '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
    '.mjs': 'text/javascript; charset=utf-8', '.cjs': 'text/javascript; charset=utf-8', '.json': 'application/json; charset=utf-8',
    '.wasm': 'application/wasm', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.txt': 'text/plain; charset=utf-8',
};

/** Extensions served with Access-Control-Allow-Origin: * (what a cross-origin <headroom-card> loads). */
export const CORS_TYPES = new Set(['.js', '.mjs', '.wasm', '.json', '.css']);

/** The headers for a file: its type, no caching surprises, and CORS where the component needs it. */
export function headersFor(file) {
    const ext = path.extname(file).toLowerCase();
    const headers = {
        'content-type': MIME[ext] ?? 'application/octet-stream',
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
    };
    if (CORS_TYPES.has(ext)) headers['access-control-allow-origin'] = '*';
    return headers;
}

/**
 * A server for dir on host:port (port 0: any free one). onRequest(path), when
 * given, sees each request's path (the tests count engine loads with it).
 * Resolves to { server, base, close }.
 */
export async function createWebServer({ dir, port = 0, host = '127.0.0.1', onRequest } = {}) {
    const root = path.resolve(dir);
    const server = http.createServer(async (req, res) => {
        let rel;
        try {
            rel = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
        } catch {
            res.writeHead(400, { 'content-type': 'text/plain' }).end('bad request');
            return;
        }
        if (rel.endsWith('/')) rel += 'index.html';
        onRequest?.(rel);
        if (req.method !== 'GET' && req.method !== 'HEAD') {
            res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed');
            return;
        }
        const file = path.normalize(path.join(root, rel));
        if (!file.startsWith(root + path.sep) || rel.includes('\0')) {
            res.writeHead(403, { 'content-type': 'text/plain' }).end('forbidden');
            return;
        }
        try {
            if (!(await stat(file)).isFile()) throw new Error('not a file');
            const body = await readFile(file);
            res.writeHead(200, { ...headersFor(file), 'content-length': body.length });
            res.end(req.method === 'HEAD' ? undefined : body);
        } catch {
            res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
        }
    });
    await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, resolve);
    });
    const base = `http://${host}:${server.address().port}/`;
    return { server, base, close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }) };
}

// As a program (scripts/run): serve until interrupted.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    const args = process.argv.slice(2);
    const option = (name, fallback) => {
        const i = args.indexOf(name);
        return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
    };
    const here = path.dirname(fileURLToPath(import.meta.url));
    const dir = option('--dir', path.join(here, '..', 'web'));
    const port = Number(option('--port', process.env.PORT || 8080));
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
        console.error(`serve: bad port '${option('--port', process.env.PORT)}'`);
        process.exit(2);
    }
    try {
        const { base } = await createWebServer({ dir, port });
        console.log(`serve: ${path.resolve(dir)} at ${base}  (Ctrl-C to stop)`);
    } catch (e) {
        console.error(`serve: cannot listen on 127.0.0.1:${port}: ${e.message}`);
        process.exit(1);
    }
}
