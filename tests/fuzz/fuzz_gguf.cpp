// libFuzzer target: the GGUF header reader over hostile bytes, whole and as a
// prefix of a longer file (the page reads a dropped file's first bytes).
// Built only when engine/src/gguf.cpp is part of the engine (tests/fuzz/CMakeLists.txt).
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "gguf.hpp"

namespace {

void check(const headroom::GgufReadResult& r, std::uint64_t given, std::uint64_t file_size) {
    if (!r.ok) {
        const headroom::Error& e = r.failure.error;
        if (e.code.rfind("gguf_", 0) != 0 || e.message.empty())
            headroom_fuzz::fail("GGUF error without a gguf_ code or message", e.code + ": " + e.message);
        if (r.failure.need_bytes > 0 && r.failure.need_bytes <= given)
            headroom_fuzz::fail("gguf_truncated asks for no more bytes than it was given", e.message);
        return;
    }
    const headroom::GgufHeader& h = r.header;
    if (h.tensors.size() != h.tensor_count)
        headroom_fuzz::fail("tensor table size differs from tensor_count", std::to_string(h.tensor_count));
    if (h.kvs.size() != h.kv_count)
        headroom_fuzz::fail("metadata size differs from kv_count", std::to_string(h.kv_count));
    if (h.tensor_count > headroom::kGgufMaxTensorCount || h.kv_count > headroom::kGgufMaxKvCount)
        headroom_fuzz::fail("a count beyond its limit was accepted", "");
    if (h.alignment == 0 || h.data_offset_bytes % h.alignment != 0)
        headroom_fuzz::fail("data section not aligned", std::to_string(h.alignment));
    if (h.tensor_infos_end_bytes > h.data_offset_bytes)
        headroom_fuzz::fail("data section starts inside the tensor table", "");
    if (h.tensor_infos_end_bytes > given) headroom_fuzz::fail("tensor table ends beyond the bytes given", "");
    for (const headroom::GgufTensorInfo& t : h.tensors) {
        if (t.n_dims > headroom::kGgufMaxDims) headroom_fuzz::fail("tensor with too many dims", t.name);
        if (t.offset_bytes > h.data_bytes || t.size_bytes > h.data_bytes - t.offset_bytes)
            headroom_fuzz::fail("tensor beyond the data section", t.name);
    }
    // (An empty data section may start past the end: a file with no tensors need not be padded.)
    if (file_size > 0 && h.data_bytes > 0 && h.data_offset_bytes + h.data_bytes > file_size)
        headroom_fuzz::fail("tensor data beyond the end of the file", "");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::uint64_t n = size;
    check(headroom::read_gguf_header(data, n, n), n, n);
    check(headroom::read_gguf_header(data, n, 0), n, 0);
    // The first half of a file twice as long: ok, or truncated asking for more.
    check(headroom::read_gguf_header(data, n / 2, n), n / 2, n);
    (void)headroom::looks_like_gguf(data, n);
    return 0;
}
