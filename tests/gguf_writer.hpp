// A small GGUF writer for the tests (ggml/docs/gguf.md layout, little-endian,
// version 3 by default): metadata key/values, tensor infos with offsets laid
// out on the alignment, then zero-filled tensor data. Raw-byte helpers let
// tests build corrupt files the writer itself would never produce.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace headroom_test {

// GGML type ids and block sizes (ggml.h / ggml.c type_traits) used by the fixtures.
struct TestGgmlType {
    std::uint32_t id;
    std::uint32_t block;
    std::uint32_t bytes;
};
constexpr TestGgmlType kF32{0, 1, 4};
constexpr TestGgmlType kF16{1, 1, 2};
constexpr TestGgmlType kQ8_0{8, 32, 34};
constexpr TestGgmlType kQ4_K{12, 256, 144};
constexpr TestGgmlType kQ6_K{14, 256, 210};

class Bytes {
public:
    std::vector<std::uint8_t> data;
    template <typename T>
    void put(T v) {
        std::uint8_t b[sizeof(T)];
        std::memcpy(b, &v, sizeof(T));
        data.insert(data.end(), b, b + sizeof(T));
    }
    void str(const std::string& s) {
        put<std::uint64_t>(s.size());
        data.insert(data.end(), s.begin(), s.end());
    }
    void pad_to(std::uint64_t alignment) {
        while (data.size() % alignment) data.push_back(0);
    }
};

class GgufWriter {
public:
    std::uint32_t version = 3;
    std::uint32_t alignment = 32;

    void u32(const std::string& key, std::uint32_t v) {
        kv_.str(key);
        kv_.put<std::uint32_t>(4);
        kv_.put(v);
        ++n_kv_;
    }
    void u64(const std::string& key, std::uint64_t v) {
        kv_.str(key);
        kv_.put<std::uint32_t>(10);
        kv_.put(v);
        ++n_kv_;
    }
    void i32(const std::string& key, std::int32_t v) {
        kv_.str(key);
        kv_.put<std::uint32_t>(5);
        kv_.put(v);
        ++n_kv_;
    }
    void u16(const std::string& key, std::uint16_t v) {
        kv_.str(key);
        kv_.put<std::uint32_t>(2);
        kv_.put(v);
        ++n_kv_;
    }
    void f32(const std::string& key, float v) {
        kv_.str(key);
        kv_.put<std::uint32_t>(6);
        kv_.put(v);
        ++n_kv_;
    }
    void boolean(const std::string& key, bool v) {
        kv_.str(key);
        kv_.put<std::uint32_t>(7);
        kv_.put<std::uint8_t>(v ? 1 : 0);
        ++n_kv_;
    }
    void string(const std::string& key, const std::string& v) {
        kv_.str(key);
        kv_.put<std::uint32_t>(8);
        kv_.str(v);
        ++n_kv_;
    }
    void strings(const std::string& key, const std::vector<std::string>& v) {
        kv_.str(key);
        kv_.put<std::uint32_t>(9);
        kv_.put<std::uint32_t>(8);
        kv_.put<std::uint64_t>(v.size());
        for (const auto& s : v) kv_.str(s);
        ++n_kv_;
    }
    void i32s(const std::string& key, const std::vector<std::int32_t>& v) {
        kv_.str(key);
        kv_.put<std::uint32_t>(9);
        kv_.put<std::uint32_t>(5);
        kv_.put<std::uint64_t>(v.size());
        for (auto x : v) kv_.put(x);
        ++n_kv_;
    }
    // Raw bytes appended to the metadata section, counted as `count` key/values.
    void raw_kv(const std::vector<std::uint8_t>& bytes, std::uint64_t count) {
        kv_.data.insert(kv_.data.end(), bytes.begin(), bytes.end());
        n_kv_ += count;
    }

    void tensor(const std::string& name, TestGgmlType type, std::vector<std::uint64_t> ne) {
        Tensor t{name, type, std::move(ne), 0, 0};
        std::uint64_t n = 1;
        for (auto d : t.ne) n *= d;
        t.bytes = n / type.block * type.bytes;
        tensors_.push_back(t);
    }
    // Overrides the offset the next write() gives tensor i.
    void force_offset(std::size_t i, std::uint64_t offset) {
        forced_.resize(tensors_.size(), false);
        tensors_[i].offset = offset;
        forced_[i] = true;
    }
    void force_tensor_count(std::uint64_t n) { forced_count_ = n; }

    // Bytes of every tensor laid out in order, each on the alignment.
    std::uint64_t offset_of(std::size_t i) {
        layout();
        return tensors_[i].offset;
    }
    std::uint64_t tensor_bytes(std::size_t i) const { return tensors_[i].bytes; }

    // The whole file; `with_data` = false stops after the header and padding.
    std::vector<std::uint8_t> write(bool with_data = true) {
        layout();
        Bytes out;
        out.data.insert(out.data.end(), {'G', 'G', 'U', 'F'});
        out.put(version);
        out.put<std::uint64_t>(forced_count_ ? forced_count_ : tensors_.size());
        out.put<std::uint64_t>(n_kv_);
        out.data.insert(out.data.end(), kv_.data.begin(), kv_.data.end());
        for (const Tensor& t : tensors_) {
            out.str(t.name);
            out.put<std::uint32_t>(static_cast<std::uint32_t>(t.ne.size()));
            for (auto d : t.ne) out.put(d);
            out.put(t.type.id);
            out.put(t.offset);
        }
        header_bytes_ = out.data.size();
        out.pad_to(alignment);
        data_offset_ = out.data.size();
        if (with_data) {
            std::uint64_t end = 0;
            for (const Tensor& t : tensors_) end = std::max(end, t.offset + t.bytes);
            out.data.resize(out.data.size() + end, 0);
        }
        return out.data;
    }
    std::uint64_t header_bytes() const { return header_bytes_; }
    std::uint64_t data_offset() const { return data_offset_; }

private:
    struct Tensor {
        std::string name;
        TestGgmlType type;
        std::vector<std::uint64_t> ne;
        std::uint64_t offset;
        std::uint64_t bytes;
    };
    void layout() {
        forced_.resize(tensors_.size(), false);
        std::uint64_t at = 0;
        for (std::size_t i = 0; i < tensors_.size(); ++i) {
            if (!forced_[i]) tensors_[i].offset = at;
            at = tensors_[i].offset + tensors_[i].bytes;
            at = (at + alignment - 1) / alignment * alignment;
        }
    }
    Bytes kv_;
    std::uint64_t n_kv_ = 0;
    std::vector<Tensor> tensors_;
    std::vector<bool> forced_;
    std::uint64_t forced_count_ = 0;
    std::uint64_t header_bytes_ = 0;
    std::uint64_t data_offset_ = 0;
};

// The fixture every GGUF test uses: a tiny Llama, 2 layers, hidden 256, FFN
// 512, 4 heads / 2 KV heads, 1,024 tokens, Q4_K_M with Q6_K attn_v, ffn_down
// and output, F32 norms. Tensor bytes (ne0 × ne1 / block × block bytes):
//   token_embd Q4_K 256×1024 -> 1024 blocks × 144 = 147,456
//   per layer: attn_norm 1,024 + attn_q 36,864 + attn_k 18,432 + attn_v (Q6_K) 26,880
//              + attn_output 36,864 + ffn_norm 1,024 + ffn_gate 73,728 + ffn_up 73,728
//              + ffn_down (Q6_K 512×256 -> 512 blocks × 210) 107,520 = 376,064
//   output_norm 1,024; output Q6_K 256×1024 -> 1024 × 210 = 215,040
//   total = 147,456 + 2 × 376,064 + 1,024 + 215,040 = 1,115,648 bytes
constexpr std::uint64_t kTinyLlamaTensorBytes = 1115648;
constexpr std::uint64_t kTinyLlamaTensors = 1 + 2 * 9 + 2;  // 21

inline void add_tiny_llama_metadata(GgufWriter& w, bool with_tokens = true) {
    w.string("general.architecture", "llama");
    w.string("general.name", "Tiny Llama Test");
    w.u32("general.file_type", 15);  // LLAMA_FTYPE_MOSTLY_Q4_K_M
    w.u32("general.quantization_version", 2);
    w.u32("llama.block_count", 2);
    w.u32("llama.context_length", 4096);
    w.u32("llama.embedding_length", 256);
    w.u32("llama.feed_forward_length", 512);
    w.u32("llama.attention.head_count", 4);
    w.u32("llama.attention.head_count_kv", 2);
    w.f32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
    w.u32("llama.rope.dimension_count", 64);
    w.string("tokenizer.ggml.model", "gpt2");
    if (with_tokens) {
        std::vector<std::string> tokens;
        for (int i = 0; i < 1024; ++i) tokens.push_back("t" + std::to_string(i));
        w.strings("tokenizer.ggml.tokens", tokens);
    }
}

inline void add_tiny_llama_tensors(GgufWriter& w, std::size_t from = 0, std::size_t to = kTinyLlamaTensors) {
    std::vector<std::pair<std::string, std::pair<TestGgmlType, std::vector<std::uint64_t>>>> all;
    all.push_back({"token_embd.weight", {kQ4_K, {256, 1024}}});
    for (int il = 0; il < 2; ++il) {
        const std::string b = "blk." + std::to_string(il) + ".";
        all.push_back({b + "attn_norm.weight", {kF32, {256}}});
        all.push_back({b + "attn_q.weight", {kQ4_K, {256, 256}}});
        all.push_back({b + "attn_k.weight", {kQ4_K, {256, 128}}});
        all.push_back({b + "attn_v.weight", {kQ6_K, {256, 128}}});
        all.push_back({b + "attn_output.weight", {kQ4_K, {256, 256}}});
        all.push_back({b + "ffn_norm.weight", {kF32, {256}}});
        all.push_back({b + "ffn_gate.weight", {kQ4_K, {256, 512}}});
        all.push_back({b + "ffn_up.weight", {kQ4_K, {256, 512}}});
        all.push_back({b + "ffn_down.weight", {kQ6_K, {512, 256}}});
    }
    all.push_back({"output_norm.weight", {kF32, {256}}});
    all.push_back({"output.weight", {kQ6_K, {256, 1024}}});
    for (std::size_t i = from; i < to && i < all.size(); ++i)
        w.tensor(all[i].first, all[i].second.first, all[i].second.second);
}

inline std::vector<std::uint8_t> tiny_llama_gguf() {
    GgufWriter w;
    add_tiny_llama_metadata(w);
    add_tiny_llama_tensors(w);
    return w.write();
}

}  // namespace headroom_test
