// The GGUF header reader on files written by tests/gguf_writer.hpp: exact
// tensor sizes and offsets, prefixes that need more bytes, and corrupt files
// (each with its error code).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "gguf.hpp"
#include "gguf_writer.hpp"

using namespace headroom;
using namespace headroom_test;

namespace {

GgufReadResult read_all(const std::vector<std::uint8_t>& f) {
    return read_gguf_header(f.data(), f.size(), f.size());
}

std::string code_of(const GgufReadResult& r) {
    return r.ok ? "ok" : r.failure.error.code;
}

}  // namespace

TEST_CASE("gguf: the tiny Llama's tensor table, sizes and offsets are exact", "[gguf]") {
    GgufWriter w;
    add_tiny_llama_metadata(w);
    add_tiny_llama_tensors(w);
    const auto file = w.write();
    const GgufReadResult r = read_all(file);
    REQUIRE(r.ok);
    const GgufHeader& h = r.header;
    CHECK(h.version == 3);
    CHECK(h.tensor_count == kTinyLlamaTensors);
    CHECK(h.kv_count == 14);
    CHECK(h.alignment == 32);
    REQUIRE(h.tensors.size() == 21);
    // token_embd: Q4_K 256 × 1024 -> 1024 blocks of 144 bytes = 147,456, at data offset 0.
    CHECK(h.tensors[0].name == "token_embd.weight");
    CHECK(h.tensors[0].ggml_type_id == 12);
    CHECK(h.tensors[0].ne[0] == 256);
    CHECK(h.tensors[0].ne[1] == 1024);
    CHECK(h.tensors[0].size_bytes == 147456);
    CHECK(h.tensors[0].offset_bytes == 0);
    // blk.0.attn_norm: F32 256 -> 1,024 bytes, right after (147,456 is a multiple of 32).
    CHECK(h.tensors[1].size_bytes == 1024);
    CHECK(h.tensors[1].offset_bytes == 147456);
    // blk.0.attn_v: Q6_K 256 × 128 -> 128 blocks × 210 = 26,880.
    CHECK(h.tensors[4].name == "blk.0.attn_v.weight");
    CHECK(h.tensors[4].size_bytes == 26880);
    // blk.0.ffn_down: Q6_K 512 × 256 -> 512 blocks × 210 = 107,520.
    CHECK(h.tensors[9].size_bytes == 107520);
    // output: Q6_K 256 × 1024 -> 215,040, the last tensor.
    CHECK(h.tensors[20].name == "output.weight");
    CHECK(h.tensors[20].size_bytes == 215040);
    std::uint64_t sum = 0;
    for (const auto& t : h.tensors) {
        sum += t.size_bytes;
        CHECK(t.offset_bytes == w.offset_of(static_cast<std::size_t>(&t - &h.tensors[0])));
        CHECK(t.offset_bytes % 32 == 0);
    }
    CHECK(sum == kTinyLlamaTensorBytes);  // 1,115,648 (gguf_writer.hpp)
    CHECK(h.data_offset_bytes == w.data_offset());
    CHECK(h.data_offset_bytes % 32 == 0);
    CHECK(h.tensor_infos_end_bytes == w.header_bytes());
    CHECK(h.file_bytes == file.size());
    // Every tensor is sized exactly, so data ends at the last tensor's end: every size is a
    // multiple of 32 here, so no padding between tensors and data_bytes == the sum.
    CHECK(h.data_bytes == kTinyLlamaTensorBytes);
    CHECK(h.data_offset_bytes + h.data_bytes == file.size());

    const GgufValue* blocks = h.find("llama.block_count");
    REQUIRE(blocks);
    CHECK(blocks->uinteger == 2);
    const GgufValue* tokens = h.find("tokenizer.ggml.tokens");
    REQUIRE(tokens);
    CHECK(tokens->array_type == GgufValueType::string);
    CHECK(tokens->array_count == 1024);
    const GgufValue* eps = h.find("llama.attention.layer_norm_rms_epsilon");
    REQUIRE(eps);
    CHECK(eps->number == Approx(1e-5));
    CHECK(h.find("general.name")->text == "Tiny Llama Test");
}

TEST_CASE("gguf: version 2 reads like version 3; general.alignment moves the data", "[gguf]") {
    GgufWriter w;
    w.version = 2;
    w.alignment = 64;
    add_tiny_llama_metadata(w, false);
    w.u32("general.alignment", 64);
    add_tiny_llama_tensors(w);
    const auto file = w.write();
    const GgufReadResult r = read_all(file);
    REQUIRE(r.ok);
    CHECK(r.header.version == 2);
    CHECK(r.header.alignment == 64);
    CHECK(r.header.data_offset_bytes % 64 == 0);
    CHECK(r.header.data_offset_bytes == w.data_offset());
}

TEST_CASE("gguf: a prefix asks for more bytes until the tensor table is complete", "[gguf]") {
    const auto file = tiny_llama_gguf();
    // 100 bytes: magic, version, counts (24) and the first keys fit; the rest does not.
    GgufReadResult r = read_gguf_header(file.data(), 100, file.size());
    REQUIRE_FALSE(r.ok);
    CHECK(r.failure.error.code == "gguf_truncated");
    CHECK(r.failure.error.field == "file");
    CHECK(r.failure.need_bytes > 100);
    CHECK(r.failure.error.message.rfind("need more bytes: " + std::to_string(r.failure.need_bytes), 0) == 0);
    // Reading what it asks for, again and again, ends with the whole header and never the data.
    std::uint64_t have = 100;
    int rounds = 0;
    while (!r.ok && rounds < 100000) {
        REQUIRE(r.failure.error.code == "gguf_truncated");
        REQUIRE(r.failure.need_bytes > have);
        have = r.failure.need_bytes;
        r = read_gguf_header(file.data(), have, file.size());
        ++rounds;
    }
    REQUIRE(r.ok);
    CHECK(have <= r.header.tensor_infos_end_bytes);
    CHECK(r.header.tensors.size() == 21);
    // Unknown file size: the same header, offsets unchecked.
    const GgufReadResult open = read_gguf_header(file.data(), have, 0);
    REQUIRE(open.ok);
    CHECK(open.header.file_bytes == open.header.data_offset_bytes + kTinyLlamaTensorBytes);
}

TEST_CASE("gguf: wrong magic, version 1, version 4 and a big-endian file are refused", "[gguf]") {
    auto file = tiny_llama_gguf();
    auto bad = file;
    bad[0] = 'X';
    CHECK(code_of(read_all(bad)) == "gguf_bad_magic");
    for (std::uint32_t v : {1u, 4u, 0x03000000u}) {
        bad = file;
        std::memcpy(&bad[4], &v, 4);
        const auto r = read_all(bad);
        CHECK(code_of(r) == "gguf_unsupported_version");
        if (v == 0x03000000u) CHECK(r.failure.error.message.find("big-endian") != std::string::npos);
    }
    CHECK(code_of(read_gguf_header(file.data(), 3, file.size())) == "gguf_truncated");
}

TEST_CASE("gguf: counts and lengths beyond the limits are refused before anything is allocated", "[gguf]") {
    SECTION("2^40 tensors") {
        GgufWriter w;
        add_tiny_llama_metadata(w, false);
        w.force_tensor_count(1ull << 40);
        CHECK(code_of(read_all(w.write())) == "gguf_too_large");
    }
    SECTION("2^40 metadata keys") {
        auto file = tiny_llama_gguf();
        const std::uint64_t n = 1ull << 40;
        std::memcpy(&file[16], &n, 8);
        CHECK(code_of(read_all(file)) == "gguf_too_large");
    }
    SECTION("a key of 2^40 bytes") {
        GgufWriter w;
        Bytes b;
        b.put<std::uint64_t>(1ull << 40);
        w.raw_kv(b.data, 1);
        CHECK(code_of(read_all(w.write())) == "gguf_too_large");
    }
    SECTION("a string value longer than the file") {
        GgufWriter w;
        Bytes b;
        b.str("general.name");
        b.put<std::uint32_t>(8);
        b.put<std::uint64_t>(5000);  // 5,000 bytes claimed; the file ends long before
        b.str("x");
        w.raw_kv(b.data, 1);
        const auto file = w.write();
        const auto r = read_all(file);
        CHECK(code_of(r) == "gguf_truncated");
        CHECK(r.failure.need_bytes == 0);  // the whole file was given: nothing more to read
        CHECK(r.failure.error.message.find("the file has only " + std::to_string(file.size()) + " bytes") !=
              std::string::npos);
    }
    SECTION("an array of 2^40 elements") {
        GgufWriter w;
        Bytes b;
        b.str("tokenizer.ggml.scores");
        b.put<std::uint32_t>(9);
        b.put<std::uint32_t>(6);
        b.put<std::uint64_t>(1ull << 40);
        w.raw_kv(b.data, 1);
        CHECK(code_of(read_all(w.write())) == "gguf_too_large");
    }
}

TEST_CASE("gguf: bad metadata values", "[gguf]") {
    auto one = [](std::vector<std::uint8_t> kv) {
        GgufWriter w;
        w.raw_kv(kv, 1);
        return code_of(read_all(w.write()));
    };
    Bytes unknown_type;
    unknown_type.str("a");
    unknown_type.put<std::uint32_t>(13);
    CHECK(one(unknown_type.data) == "gguf_bad_metadata");
    Bytes nested;
    nested.str("a");
    nested.put<std::uint32_t>(9);
    nested.put<std::uint32_t>(9);
    nested.put<std::uint64_t>(1);
    CHECK(one(nested.data) == "gguf_bad_metadata");
    Bytes bool2;
    bool2.str("a");
    bool2.put<std::uint32_t>(7);
    bool2.put<std::uint8_t>(2);
    CHECK(one(bool2.data) == "gguf_bad_metadata");
    GgufWriter dup;
    dup.u32("x", 1);
    dup.u32("x", 2);
    CHECK(code_of(read_all(dup.write())) == "gguf_bad_metadata");
    GgufWriter align;
    align.u32("general.alignment", 48);  // not a power of two
    CHECK(code_of(read_all(align.write())) == "gguf_bad_metadata");
}

TEST_CASE("gguf: bad tensor infos", "[gguf]") {
    SECTION("an offset beyond the end of the file") {
        GgufWriter w;
        add_tiny_llama_metadata(w, false);
        add_tiny_llama_tensors(w);
        auto file = w.write();
        GgufWriter moved;
        add_tiny_llama_metadata(moved, false);
        add_tiny_llama_tensors(moved);
        moved.force_offset(20, 1ull << 32);  // aligned, but 4 GiB into a 1 MiB file
        const auto header = moved.write(false);
        std::vector<std::uint8_t> f2 = header;
        f2.resize(file.size(), 0);
        const auto r = read_all(f2);
        CHECK(code_of(r) == "gguf_bad_tensor");
        CHECK(r.failure.error.message.find("output.weight") != std::string::npos);
        CHECK(r.failure.error.message.find("beyond the end of the file") != std::string::npos);
    }
    SECTION("dimensions whose product overflows") {
        GgufWriter w;
        w.tensor("big", kF32, {1ull << 32, 1ull << 32, 1ull << 32});
        CHECK(code_of(read_all(w.write(false))) == "gguf_bad_tensor");
    }
    SECTION("five dimensions") {
        GgufWriter w;
        w.tensor("t", kF32, {1, 1, 1, 1, 1});
        CHECK(code_of(read_all(w.write())) == "gguf_bad_tensor");
    }
    SECTION("an unknown ggml type") {
        GgufWriter w;
        w.tensor("t", TestGgmlType{999, 1, 1}, {32});
        CHECK(code_of(read_all(w.write())) == "gguf_bad_tensor");
    }
    SECTION("a row that is not a whole number of blocks") {
        GgufWriter w;
        w.tensor("t", TestGgmlType{12, 1, 1}, {100});  // Q4_K needs multiples of 256
        const auto r = read_all(w.write());
        CHECK(code_of(r) == "gguf_bad_tensor");
        CHECK(r.failure.error.message.find("block of 256") != std::string::npos);
    }
    SECTION("a misaligned offset") {
        GgufWriter w;
        w.tensor("a", kF32, {8});
        w.tensor("b", kF32, {8});
        w.force_offset(1, 40);  // 40 is not a multiple of 32
        CHECK(code_of(read_all(w.write())) == "gguf_bad_tensor");
    }
    SECTION("a zero dimension") {
        GgufWriter w;
        w.tensor("z", kF32, {0, 4});
        CHECK(code_of(read_all(w.write(false))) == "gguf_bad_tensor");
    }
    SECTION("a name listed twice") {
        GgufWriter w;
        w.tensor("a", kF32, {8});
        w.tensor("a", kF32, {8});
        CHECK(code_of(read_all(w.write())) == "gguf_bad_tensor");
    }
}

TEST_CASE("gguf: every truncation of a valid file is an error, never a crash", "[gguf]") {
    GgufWriter w;
    add_tiny_llama_metadata(w, false);
    add_tiny_llama_tensors(w);
    const auto file = w.write(false);
    const std::uint64_t header = w.header_bytes();
    for (std::uint64_t n = 0; n < header; ++n) {
        const auto r = read_gguf_header(file.data(), n, file.size());
        REQUIRE_FALSE(r.ok);
        REQUIRE(r.failure.error.code == "gguf_truncated");
        REQUIRE(r.failure.need_bytes > n);
        REQUIRE(r.failure.need_bytes <= header);
    }
}
