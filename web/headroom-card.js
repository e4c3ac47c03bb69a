// headroom-card.js: the fit card as a web component, for pages that prefer a
// script tag to an iframe:
//
//   <script type="module" src="https://…/headroom-card.js"></script>
//   <headroom-card model="qwen3-8b" hardware="nvidia-rtx-4090" quant="Q4_K_M"
//                  runtime="llama.cpp" context="32768" mode="interactive" theme="dark"></headroom-card>
//
// Attributes: model, hardware, count, quant, runtime, context, kv, mode (the
// report page's URL keys, same defaults) and theme (light | dark; default: the
// reader's prefers-color-scheme). Changing one re-renders the card.
//
// The card lives in a shadow root styled by embed.css, so the host's CSS does
// not reach in and the card's does not leak out. Every card on a page shares one
// engine, loaded once from engine/ beside this file (found from import.meta.url,
// so the server that hosts it must allow cross-origin module loads: CORS). The
// engine runs in the reader's browser: no call home, no cookies, no storage.

import { createEngine } from './engine/headroom-api.mjs';
import { h } from './js/dom.js';
import { toRequest } from './js/state.js';
import { CARD_KEYS, cardParams, reportHref, renderCard, renderCardError, renderCardLoading } from './js/card-view.js';

const BASE = import.meta.url;
let enginePromise = null; // one engine for every card on the page
let sheetPromise = null;  // one parsed stylesheet for every card

function sharedEngine() {
    enginePromise ??= createEngine().catch((e) => {
        enginePromise = null; // let a later render try again
        throw e;
    });
    return enginePromise;
}

function sharedSheet() {
    sheetPromise ??= fetch(new URL('embed.css', BASE))
        .then((r) => (r.ok ? r.text() : Promise.reject(new Error(`embed.css: HTTP ${r.status}`))))
        .then((text) => {
            const sheet = new CSSStyleSheet();
            sheet.replaceSync(text);
            return sheet;
        })
        .catch((e) => {
            sheetPromise = null;
            throw e;
        });
    return sheetPromise;
}

export class HeadroomCard extends HTMLElement {
    static get observedAttributes() {
        return [...CARD_KEYS, 'theme'];
    }

    constructor() {
        super();
        this._shadow = this.attachShadow({ mode: 'open' });
        this._root = h('div', { class: 'hr-wrap' });
        this._shadow.append(this._root);
        this._seq = 0;
        this._queued = false;
        /** The last engine report shown (or null): for hosts that want the numbers. */
        this.report = null;
    }

    connectedCallback() {
        this._schedule();
    }

    attributeChangedCallback() {
        if (this.isConnected) this._schedule();
    }

    /** Several attribute changes in one task render once. */
    _schedule() {
        if (this._queued) return;
        this._queued = true;
        queueMicrotask(() => {
            this._queued = false;
            this._render();
        });
    }

    _params() {
        const attrs = {};
        for (const name of [...CARD_KEYS, 'theme']) {
            if (this.hasAttribute(name)) attrs[name] = this.getAttribute(name);
        }
        return cardParams(attrs);
    }

    async _render() {
        const seq = ++this._seq;
        const { state, theme } = this._params();
        const href = reportHref(state, BASE);
        let engine;
        try {
            // The stylesheet first (small), so even "Estimating…" is styled.
            const sheet = await sharedSheet();
            if (this._shadow.adoptedStyleSheets[0] !== sheet) this._shadow.adoptedStyleSheets = [sheet];
            if (!this.report && seq === this._seq) renderCardLoading(this._root, { theme });
            engine = await sharedEngine();
        } catch (e) {
            if (seq !== this._seq) return;
            this.report = null;
            renderCardError(this._root, { message: `The estimator could not start: ${e?.message ?? e}` }, { theme, href });
            this._done(false);
            return;
        }
        if (seq !== this._seq) return; // a newer render is on its way
        const report = engine.estimate(toRequest(state));
        this.report = report;
        if (report.ok) renderCard(this._root, report, { theme, href });
        else renderCardError(this._root, report.error, { theme, href });
        this._done(report.ok);
    }

    _done(ok) {
        this.dispatchEvent(new CustomEvent('headroom-render', { detail: { ok, report: this.report } }));
    }
}

if (!customElements.get('headroom-card')) customElements.define('headroom-card', HeadroomCard);
