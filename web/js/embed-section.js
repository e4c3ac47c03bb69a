// embed-section.js: the report's "Embed this result": the iframe snippet and
// the <headroom-card> snippet for the current view (copy buttons: main.js's
// data-copy-target), a live preview (an iframe of embed.html, loaded lazily)
// and "Download PNG" (card-png.js). Snippets are built as text and shown as
// text; engine and URL strings never become HTML on this page.

import { $, setText } from './dom.js';
import { CARD_KEYS, cardHash, cardTitle } from './card-view.js';
import { SETUP_KEYS } from './state.js';
import { downloadResultPng } from './card-png.js';

// What the snippet lets the card do: run scripts, and open the full report in a
// new tab (popups that escape the sandbox). No same-origin, no top navigation.
export const IFRAME_SANDBOX = 'allow-scripts allow-popups allow-popups-to-escape-sandbox';

const attr = (value) => String(value).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function iframeSnippet(src, title) {
    // src: an href whose query values are percent-encoded, so it holds no quote or
    // angle bracket; its & separators stay readable (valid in an attribute).
    return `<iframe src="${String(src).replace(/["<>]/g, encodeURIComponent)}" title="${attr(title)}" width="400" height="180" loading="lazy" style="border:0;max-width:100%" sandbox="${IFRAME_SANDBOX}"></iframe>`;
}

export function componentSnippet(scriptSrc, state) {
    const attrs = CARD_KEYS.filter((k) => (k !== 'context' && !SETUP_KEYS.includes(k)) || state[k] !== '')
        .map((k) => ` ${k}="${attr(state[k])}"`).join('');
    return `<script type="module" src="${attr(scriptSrc)}"></script>\n<headroom-card${attrs}></headroom-card>`;
}

export function createEmbedSection() {
    const section = $('#embed-section');
    // From file:// (the single-file build) there is no address to embed from.
    if (!section || location.protocol === 'file:') {
        if (section) section.hidden = true;
        return { update() {} };
    }
    const preview = $('#embed-preview');
    const button = $('#png-download');
    let report = null;
    button.addEventListener('click', async () => {
        if (!report?.ok) return;
        button.disabled = true;
        try {
            await downloadResultPng(report);
        } finally {
            button.disabled = false;
        }
    });
    return {
        update(state, current) {
            report = current;
            const hash = cardHash(state);
            const title = `Headroom: ${cardTitle(current)}`;
            setText($('#embed-iframe-code'), iframeSnippet(new URL(`embed.html${hash}`, location.href).href, title));
            setText($('#embed-script-code'), componentSnippet(new URL('headroom-card.js', location.href).href, state));
            // Same document, new hash: embed.js re-renders without reloading its engine.
            const src = `embed.html${hash}`;
            if (preview.getAttribute('src') !== src) preview.setAttribute('src', src);
            preview.title = `Preview of the embedded card: ${cardTitle(current)}`;
            button.disabled = !current?.ok;
        },
    };
}
