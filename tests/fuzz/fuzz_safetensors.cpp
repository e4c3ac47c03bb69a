// libFuzzer target: the safetensors header reader (whole and as a prefix of a
// longer file) and the model.safetensors.index.json reader, over hostile bytes.
// Built only when engine/src/safetensors.cpp is part of the engine (tests/fuzz/CMakeLists.txt).
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "safetensors.hpp"

namespace {

void check(const headroom::SafetensorsReadResult& r, std::uint64_t given, std::uint64_t file_size) {
    if (!r.ok) {
        if (r.error.code.rfind("safetensors_", 0) != 0 || r.error.message.empty())
            headroom_fuzz::fail("safetensors error without a safetensors_ code or message",
                                r.error.code + ": " + r.error.message);
        if (r.need_bytes > 0 && r.need_bytes <= given)
            headroom_fuzz::fail("safetensors_truncated asks for no more bytes than it was given", r.error.message);
        return;
    }
    const headroom::SafetensorsHeader& h = r.header;
    if (h.header_bytes > headroom::kSafetensorsMaxHeaderBytes)
        headroom_fuzz::fail("header beyond its limit accepted", "");
    if (h.data_offset_bytes != 8 + h.header_bytes) headroom_fuzz::fail("data offset is not 8 + header length", "");
    if (h.data_offset_bytes > given) headroom_fuzz::fail("header read beyond the bytes given", "");
    if (h.tensors.size() > headroom::kSafetensorsMaxTensorCount)
        headroom_fuzz::fail("tensor count beyond its limit accepted", "");
    for (const headroom::SafetensorsTensor& t : h.tensors) {
        if (t.end_bytes < t.begin_bytes || t.end_bytes > h.data_bytes)
            headroom_fuzz::fail("tensor offsets out of order or beyond the data", t.name);
        if (t.shape.size() > headroom::kSafetensorsMaxDims) headroom_fuzz::fail("tensor with too many dims", t.name);
        const headroom::SafetensorsDtype* d = headroom::safetensors_dtype(t.dtype);
        if (d == nullptr) headroom_fuzz::fail("tensor with an unknown dtype accepted", t.dtype);
    }
    if (file_size > 0 && h.data_offset_bytes + h.data_bytes > file_size)
        headroom_fuzz::fail("tensor data beyond the end of the file", "");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::uint64_t n = size;
    check(headroom::read_safetensors_header(data, n, n), n, n);
    check(headroom::read_safetensors_header(data, n, 0), n, 0);
    check(headroom::read_safetensors_header(data, n / 2, n), n / 2, n);
    // The same bytes as an index file (JSON text).
    const nlohmann::json j = nlohmann::json::parse(data, data + size, nullptr, false);
    if (!j.is_discarded() && headroom::looks_like_safetensors_index(j)) {
        auto index = headroom::read_safetensors_index(j);
        if (!index && index.error().message.empty()) headroom_fuzz::fail("index error without a message", "");
    }
    return 0;
}
