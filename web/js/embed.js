// embed.js: embed.html, the fit card in an iframe on someone else's page:
//   embed.html#model=…&hardware=…&quant=…&runtime=…&context=…&mode=…&count=…&theme=light|dark
// It has to work inside <iframe sandbox="allow-scripts">, whose opaque origin
// makes every fetch and module import cross-origin, so embed.html loads this
// file as ONE classic script (web/engine/embed.js, bundled by scripts/bundle.mjs
// with the engine, its wasm and the catalog inlined) and fetches nothing.
// No storage, no cookies, no navigation of the host: the only way out is the
// "Full report" link, which opens a new tab.

import { createEngine } from './engine-bundled.js';
import { toRequest } from './state.js';
import { cardParams, cardTitle, reportHref, renderCard, renderCardError, renderCardLoading } from './card-view.js';

const root = document.getElementById('card');
let enginePromise = null;

function applyTheme(theme) {
    const el = document.documentElement;
    if (theme) el.dataset.theme = theme;
    else delete el.dataset.theme;
}

async function render() {
    const { state, theme } = cardParams(location.hash);
    applyTheme(theme);
    const href = reportHref(state, location.href);
    if (!enginePromise) {
        renderCardLoading(root, { theme, titleTag: 'h1' });
        enginePromise = createEngine();
    }
    let engine;
    try {
        engine = await enginePromise;
    } catch (e) {
        enginePromise = null;
        renderCardError(root, { message: `The estimator could not start: ${e?.message ?? e}` }, { theme, href, titleTag: 'h1' });
        return;
    }
    const report = engine.estimate(toRequest(state));
    if (report.ok) renderCard(root, report, { theme, href, titleTag: 'h1' });
    else renderCardError(root, report.error, { theme, href, titleTag: 'h1' });
    document.title = report.ok ? `${cardTitle(report)} — Headroom` : 'Headroom fit card';
}

window.addEventListener('hashchange', render);
render();
