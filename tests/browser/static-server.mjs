// static-server.mjs: small 127.0.0.1 servers for the embed and offline tests.
// Unlike harness.mjs's startServer (which the page tests use), these can add
// response headers, replace a file's body (a new build for the service
// worker), serve a third-party host page from another origin, and count the
// requests per path. File types come from scripts/serve.mjs, the server
// scripts/run starts (embed.test.mjs loads the cross-origin web component from
// that server itself, so the CORS it sends is what is tested).
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { webRoot } from './harness.mjs';
import { MIME } from '../../scripts/serve.mjs';

/**
 * Serves dir (default web/). options.headers: added to every response;
 * pages (mutable, also on the result): { '/path': html } served as HTML instead
 * of files; overrides (mutable, on the result): { '/path': body } served with
 * the file's type. hits: Map path -> count.
 */
export async function serveDir({ dir = webRoot, headers = {}, pages = {} } = {}) {
    const hits = new Map();
    const overrides = {};
    const server = http.createServer(async (req, res) => {
        const url = new URL(req.url, 'http://127.0.0.1');
        let rel = decodeURIComponent(url.pathname);
        if (rel.endsWith('/')) rel += 'index.html';
        hits.set(rel, (hits.get(rel) ?? 0) + 1);
        const send = (body, type) => {
            res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store', ...headers });
            res.end(body);
        };
        if (pages[rel] != null) return send(pages[rel], MIME['.html']);
        if (overrides[rel] != null) return send(overrides[rel], MIME[path.extname(rel)] ?? 'application/octet-stream');
        const file = path.normalize(path.join(dir, rel));
        if (!file.startsWith(dir + path.sep)) return res.writeHead(403, headers).end();
        try {
            send(await readFile(file), MIME[path.extname(file)] ?? 'application/octet-stream');
        } catch {
            res.writeHead(404, { 'content-type': 'text/plain', ...headers }).end('not found');
        }
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${server.address().port}/`;
    return { base, hits, overrides, pages, close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }) };
}
