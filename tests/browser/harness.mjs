// harness.mjs: shared setup for the browser tests. Serves web/ from a tiny
// Node http server on 127.0.0.1 and drives Debian's Chromium through
// playwright-core (no browser download). Every request the page makes is
// recorded so tests can assert that nothing leaves 127.0.0.1.
import http from 'node:http';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const webRoot = path.join(root, 'web');
export const SEED = { model: 'kimi-linear-48b-a3b-instruct', hardware: 'nvidia-a100-40gb-sxm4', quant: 'Q4_K_M', runtime: 'llama.cpp' };

const MIME = {
    '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
    '.mjs': 'text/javascript; charset=utf-8', '.cjs': 'text/javascript; charset=utf-8', '.json': 'application/json; charset=utf-8',
    '.wasm': 'application/wasm', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon',
};

export function engineBuilt() {
    return existsSync(path.join(webRoot, 'engine/headroom.wasm')) && existsSync(path.join(webRoot, 'engine/catalog/models.json'));
}

export async function startServer() {
    const server = http.createServer(async (req, res) => {
        try {
            const url = new URL(req.url, 'http://127.0.0.1');
            let rel = decodeURIComponent(url.pathname);
            if (rel.endsWith('/')) rel += 'index.html';
            const file = path.normalize(path.join(webRoot, rel));
            if (!file.startsWith(webRoot + path.sep)) { res.writeHead(403).end(); return; }
            const body = await readFile(file);
            res.writeHead(200, { 'content-type': MIME[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
            res.end(body);
        } catch {
            res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        }
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address();
    return { server, base: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(r)) };
}

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic'];

/** Launches Chromium with a fresh profile; returns { context, dir, close }. */
export async function launch(options = {}) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'headroom-chromium-'));
    const context = await chromium.launchPersistentContext(dir, {
        executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
        headless: true,
        args: CHROMIUM_ARGS,
        viewport: { width: 1280, height: 900 },
        // The page registers a service worker (web/sw.js); requests it serves would
        // bypass page.route and the request log. Tests of offline use pass 'allow'.
        serviceWorkers: 'block',
        ...options,
    });
    return {
        context,
        async close() {
            await context.close();
            await rm(dir, { recursive: true, force: true });
        },
    };
}

/**
 * Opens a page that records every request and console error, and aborts any
 * request whose host is not 127.0.0.1.
 */
export async function openPage(context, url, { viewport } = {}) {
    const page = await context.newPage();
    if (viewport) await page.setViewportSize(viewport);
    const requests = [];
    const errors = [];
    await page.route('**/*', (route) => {
        const u = new URL(route.request().url());
        requests.push(u);
        if (u.protocol === 'data:' || u.protocol === 'blob:' || u.hostname === '127.0.0.1') return route.continue();
        return route.abort();
    });
    page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
    page.on('pageerror', (err) => errors.push(String(err)));
    if (url) await gotoReady(page, url);
    return { page, requests, errors };
}

export async function gotoReady(page, url) {
    await page.goto(url);
    await page.waitForSelector('body.ready', { state: 'attached', timeout: 30000 });
}

/** Waits until the verdict region shows a report for the given quant (or any). */
export async function waitForReport(page, predicate = '') {
    await page.waitForFunction((pred) => {
        const v = document.querySelector('#verdict')?.textContent?.trim();
        if (!v || v === '\u00a0') return false;
        return !pred || document.querySelector('#summary').textContent.includes(pred);
    }, predicate, { timeout: 15000 });
}

/** The engine in Node, for the numbers the page must show. */
export async function nodeEngine() {
    const { createEngine } = await import(path.join(webRoot, 'engine/headroom-api.mjs'));
    return createEngine();
}

/**
 * One test file's browser session: registers node:test hooks that start the
 * static server, Chromium and the engine in Node (when web/engine/ is built)
 * and close them after. open(hash) opens a page there and keeps its console
 * errors and requests for the file's closing checks.
 */
export function useBrowser({ before, after, ready }) {  // ready(env): more setup once all is up
    const env = { server: null, browser: null, engine: null, errors: [], requests: [] };
    before(async () => {
        if (!engineBuilt()) return;
        env.server = await startServer();
        env.browser = await launch();
        env.engine = await nodeEngine();
        await ready?.(env);
    });
    after(async () => {
        await env.browser?.close();
        await env.server?.close();
    });
    env.open = async (hash = '', options) => {  // hash null: a blank page, not navigated
        const opened = await openPage(env.browser.context, hash === null ? null : env.server.base + hash, options);
        env.errors.push(opened.errors);
        env.requests.push(opened.requests);
        return opened;
    };
    return env;
}
