// gguf-fixture.mjs: a small GGUF writer for the Node and browser tests (the
// same layout as tests/gguf_writer.hpp: little-endian, version 3, tensor data
// on the alignment, zero-filled), and the tiny Llama the C++ tests use.
//
//   writeGguf({ kv: [[key, type, value], ...], tensors: [{ name, type, ne }], alignment, version, withData })
//   type: 'u8' 'u16' 'u32' 'i32' 'u64' 'f32' 'bool' 'string' | ['array', elemType]

const TYPE_ID = { u8: 0, i8: 1, u16: 2, i16: 3, u32: 4, i32: 5, f32: 6, bool: 7, string: 8, array: 9, u64: 10, i64: 11, f64: 12 };
// GGML type id, block size, bytes per block (ggml.h / ggml.c type_traits).
export const GGML = {
    F32: { id: 0, block: 1, bytes: 4 },
    F16: { id: 1, block: 1, bytes: 2 },
    Q8_0: { id: 8, block: 32, bytes: 34 },
    Q4_K: { id: 12, block: 256, bytes: 144 },
    Q6_K: { id: 14, block: 256, bytes: 210 },
};
export const GGML_NAME_BY_ID = Object.fromEntries(Object.entries(GGML).map(([name, t]) => [t.id, name]));

class Out {
    constructor() { this.parts = []; this.length = 0; }
    bytes(u8) { this.parts.push(u8); this.length += u8.length; }
    num(kind, v) {
        const size = { u8: 1, i8: 1, bool: 1, u16: 2, i16: 2, u32: 4, i32: 4, f32: 4, u64: 8, i64: 8, f64: 8 }[kind];
        const b = new Uint8Array(size);
        const d = new DataView(b.buffer);
        switch (kind) {
        case 'u8': case 'bool': d.setUint8(0, Number(v)); break;
        case 'i8': d.setInt8(0, v); break;
        case 'u16': d.setUint16(0, v, true); break;
        case 'i16': d.setInt16(0, v, true); break;
        case 'u32': d.setUint32(0, v, true); break;
        case 'i32': d.setInt32(0, v, true); break;
        case 'f32': d.setFloat32(0, v, true); break;
        case 'u64': d.setBigUint64(0, BigInt(v), true); break;
        case 'i64': d.setBigInt64(0, BigInt(v), true); break;
        case 'f64': d.setFloat64(0, v, true); break;
        default: throw new Error(`unknown kind ${kind}`);
        }
        this.bytes(b);
    }
    str(s) {
        const b = new TextEncoder().encode(s);
        this.num('u64', b.length);
        this.bytes(b);
    }
    value(type, v) {
        if (Array.isArray(type)) {
            this.num('u32', TYPE_ID[type[1]]);
            this.num('u64', v.length);
            for (const x of v) this.value(type[1], x);
        } else if (type === 'string') {
            this.str(v);
        } else {
            this.num(type, v);
        }
    }
    concat() {
        const out = new Uint8Array(this.length);
        let at = 0;
        for (const p of this.parts) { out.set(p, at); at += p.length; }
        return out;
    }
}

export function tensorBytes(t) {
    const n = t.ne.reduce((a, b) => a * b, 1);
    return (n / t.type.block) * t.type.bytes;
}

/** Lays the tensors out (offsets on the alignment) and writes the file. */
export function writeGguf({ kv = [], tensors = [], alignment = 32, version = 3, withData = true }) {
    const out = new Out();
    out.bytes(new TextEncoder().encode('GGUF'));
    out.num('u32', version);
    out.num('u64', tensors.length);
    out.num('u64', kv.length);
    for (const [key, type, value] of kv) {
        out.str(key);
        out.num('u32', Array.isArray(type) ? TYPE_ID.array : TYPE_ID[type]);
        out.value(type, value);
    }
    let at = 0;
    const offsets = [];
    for (const t of tensors) {
        offsets.push(at);
        at += tensorBytes(t);
        at = Math.ceil(at / alignment) * alignment;
    }
    tensors.forEach((t, i) => {
        out.str(t.name);
        out.num('u32', t.ne.length);
        for (const d of t.ne) out.num('u64', d);
        out.num('u32', t.type.id);
        out.num('u64', offsets[i]);
    });
    const header = out.concat();
    const dataOffset = Math.ceil(header.length / alignment) * alignment;
    const end = tensors.length ? offsets[tensors.length - 1] + tensorBytes(tensors[tensors.length - 1]) : 0;
    const file = new Uint8Array(dataOffset + (withData ? end : 0));
    file.set(header, 0);
    return { bytes: file, offsets, dataOffset, headerBytes: header.length };
}

/** The tiny Llama of tests/gguf_writer.hpp: 21 tensors, 1,115,648 bytes of Q4_K/Q6_K/F32 data. */
export const TINY_LLAMA_TENSOR_BYTES = 1115648;
export const TINY_LLAMA_PARAMS = 1705216;

export function tinyLlamaTensors() {
    const t = [{ name: 'token_embd.weight', type: GGML.Q4_K, ne: [256, 1024] }];
    for (let il = 0; il < 2; ++il) {
        const b = `blk.${il}.`;
        t.push({ name: `${b}attn_norm.weight`, type: GGML.F32, ne: [256] });
        t.push({ name: `${b}attn_q.weight`, type: GGML.Q4_K, ne: [256, 256] });
        t.push({ name: `${b}attn_k.weight`, type: GGML.Q4_K, ne: [256, 128] });
        t.push({ name: `${b}attn_v.weight`, type: GGML.Q6_K, ne: [256, 128] });
        t.push({ name: `${b}attn_output.weight`, type: GGML.Q4_K, ne: [256, 256] });
        t.push({ name: `${b}ffn_norm.weight`, type: GGML.F32, ne: [256] });
        t.push({ name: `${b}ffn_gate.weight`, type: GGML.Q4_K, ne: [256, 512] });
        t.push({ name: `${b}ffn_up.weight`, type: GGML.Q4_K, ne: [256, 512] });
        t.push({ name: `${b}ffn_down.weight`, type: GGML.Q6_K, ne: [512, 256] });
    }
    t.push({ name: 'output_norm.weight', type: GGML.F32, ne: [256] });
    t.push({ name: 'output.weight', type: GGML.Q6_K, ne: [256, 1024] });
    return t;
}

export function tinyLlamaKv(name = 'Tiny Llama Test') {
    return [
        ['general.architecture', 'string', 'llama'],
        ['general.name', 'string', name],
        ['general.file_type', 'u32', 15],
        ['general.quantization_version', 'u32', 2],
        ['llama.block_count', 'u32', 2],
        ['llama.context_length', 'u32', 4096],
        ['llama.embedding_length', 'u32', 256],
        ['llama.feed_forward_length', 'u32', 512],
        ['llama.attention.head_count', 'u32', 4],
        ['llama.attention.head_count_kv', 'u32', 2],
        ['llama.attention.layer_norm_rms_epsilon', 'f32', 1e-5],
        ['llama.rope.dimension_count', 'u32', 64],
        ['tokenizer.ggml.model', 'string', 'gpt2'],
        ['tokenizer.ggml.tokens', ['array', 'string'], Array.from({ length: 1024 }, (_, i) => `t${i}`)],
    ];
}

export function tinyLlamaGguf(options = {}) {
    return writeGguf({ kv: tinyLlamaKv(options.name), tensors: tinyLlamaTensors(), ...options });
}

/** The same model as a Hugging Face config.json. */
export function tinyLlamaConfig() {
    return {
        architectures: ['LlamaForCausalLM'], model_type: 'llama', hidden_size: 256, num_hidden_layers: 2, intermediate_size: 512,
        num_attention_heads: 4, num_key_value_heads: 2, vocab_size: 1024, max_position_embeddings: 4096, tie_word_embeddings: false,
    };
}
