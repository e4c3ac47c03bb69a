// combobox.js: an accessible search box over catalog entries (ARIA 1.2
// combobox + listbox). Matches names, ids, Hugging Face repos and aliases.

import { h, replace } from './dom.js';

const norm = (s) => String(s ?? '').toLowerCase().replace(/[^a-z0-9.]+/g, ' ').trim();
const squash = (s) => norm(s).replace(/[ .]/g, '');

/**
 * items: [{ id, name, detail, terms: [strings] }]
 * onSelect(value, { raw }) gets an id, or the raw text when nothing matched.
 */
export function createCombobox({ input, listbox, items, onSelect, limit = 40 }) {
    const prepared = items.map((item) => {
        const terms = [item.id, item.name, ...(item.terms ?? [])].filter(Boolean);
        return { item, text: terms.map(norm).join(' | '), squashed: terms.map(squash) };
    });
    let matches = [];
    let active = -1;
    let committedLabel = input.value;

    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-expanded', 'false');
    input.setAttribute('aria-controls', listbox.id);
    input.setAttribute('autocomplete', 'off');
    input.setAttribute('spellcheck', 'false');
    listbox.setAttribute('role', 'listbox');
    listbox.hidden = true;

    function search(query) {
        const q = norm(query);
        if (!q) return prepared.slice(0, limit).map((p) => p.item);
        const words = q.split(' ');
        const qs = squash(query);
        const scored = [];
        for (const p of prepared) {
            if (!words.every((w) => p.text.includes(w)) && !p.squashed.some((s) => s.includes(qs))) continue;
            let score = 3;
            if (p.squashed.some((s) => s === qs)) score = 0;
            else if (p.squashed.some((s) => s.startsWith(qs))) score = 1;
            else if (norm(p.item.name).includes(q)) score = 2;
            scored.push([score, p.item]);
        }
        scored.sort((a, b) => a[0] - b[0]);
        return scored.slice(0, limit).map((s) => s[1]);
    }

    function open(query) {
        matches = search(query);
        active = -1;
        const options = matches.map((item, i) =>
            h('li', { id: `${listbox.id}-opt-${i}`, role: 'option', 'aria-selected': 'false', class: 'option',
                      dataset: { index: String(i) } },
              h('span', { class: 'option-name', text: item.name }),
              item.detail ? h('span', { class: 'option-detail', text: item.detail }) : null));
        if (!options.length) options.push(h('li', { class: 'option option-empty', role: 'presentation', text: 'No match in the catalog' }));
        replace(listbox, options);
        listbox.hidden = false;
        input.setAttribute('aria-expanded', 'true');
        input.removeAttribute('aria-activedescendant');
    }

    function close() {
        listbox.hidden = true;
        input.setAttribute('aria-expanded', 'false');
        input.removeAttribute('aria-activedescendant');
        active = -1;
    }

    function highlight(i) {
        const opts = listbox.querySelectorAll('[role=option]');
        if (!opts.length) return;
        active = (i + opts.length) % opts.length;
        opts.forEach((o, j) => o.setAttribute('aria-selected', j === active ? 'true' : 'false'));
        input.setAttribute('aria-activedescendant', opts[active].id);
        opts[active].scrollIntoView({ block: 'nearest' });
    }

    function choose(item) {
        close();
        input.value = item.name;
        committedLabel = item.name;
        onSelect(item.id, { raw: false });
    }

    function commitText() {
        const text = input.value.trim();
        if (!text || text === committedLabel) {
            input.value = committedLabel;
            close();
            return;
        }
        const found = search(text);
        if (found.length) choose(found[0]);
        else {
            close();
            committedLabel = text;
            onSelect(text, { raw: true });
        }
    }

    input.addEventListener('input', () => open(input.value));
    input.addEventListener('focus', () => input.select());
    input.addEventListener('click', () => { if (listbox.hidden) open(''); });
    input.addEventListener('keydown', (e) => {
        if (e.key === 'ArrowDown') {
            e.preventDefault();
            if (listbox.hidden) open(input.value === committedLabel ? '' : input.value);
            highlight(active + 1);
        } else if (e.key === 'ArrowUp') {
            e.preventDefault();
            if (listbox.hidden) open(input.value === committedLabel ? '' : input.value);
            highlight(active - 1);
        } else if (e.key === 'Enter') {
            e.preventDefault();
            if (!listbox.hidden && active >= 0 && matches[active]) choose(matches[active]);
            else commitText();
        } else if (e.key === 'Escape') {
            if (!listbox.hidden) {
                e.preventDefault();
                close();
                input.value = committedLabel;
            }
        } else if (e.key === 'Tab') {
            if (!listbox.hidden && active >= 0 && matches[active]) choose(matches[active]);
            else close();
        }
    });
    input.addEventListener('blur', () => {
        // A click on an option lands first (mousedown is prevented below).
        setTimeout(() => {
            if (document.activeElement === input) return;
            if (!listbox.hidden) close();
            if (input.value.trim() !== committedLabel) input.value = committedLabel;
        }, 0);
    });
    listbox.addEventListener('mousedown', (e) => e.preventDefault());
    listbox.addEventListener('click', (e) => {
        const li = e.target.closest('[role=option]');
        if (li) choose(matches[Number(li.dataset.index)]);
    });

    return {
        /** Shows an entry's name without firing onSelect (state restored from the URL). */
        setValue(id) {
            const p = prepared.find((x) => x.item.id === id);
            committedLabel = p ? p.item.name : String(id ?? '');
            if (document.activeElement !== input || listbox.hidden) input.value = committedLabel;
        },
        search,
    };
}
