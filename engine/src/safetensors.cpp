// safetensors header reader (huggingface/safetensors docs/source/index.mdx
// "Format"; the checks follow safetensors/src/tensor.rs Metadata::validate:
// offsets contiguous from 0, end - begin = elements × dtype size).
#include "safetensors.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <unordered_set>

namespace headroom {
namespace {

using nlohmann::json;
using u64 = std::uint64_t;

// Dtypes of the format (safetensors/src/tensor.rs Dtype) with their storage bits.
const SafetensorsDtype kDtypes[] = {
    {"BOOL", 8, false},   {"U8", 8, false},   {"I8", 8, false},   {"F8_E5M2", 8, true}, {"F8_E4M3", 8, true},
    {"F8_E8M0", 8, true}, {"I16", 16, false}, {"U16", 16, false}, {"F16", 16, true},    {"BF16", 16, true},
    {"I32", 32, false},   {"U32", 32, false}, {"F32", 32, true},  {"F64", 64, true},    {"I64", 64, false},
    {"U64", 64, false},   {"C64", 64, true},  {"F4", 4, true},    {"F6_E2M3", 6, true}, {"F6_E3M2", 6, true},
};

bool mul_overflows(u64 a, u64 b, u64& out) {
    if (a != 0 && b > std::numeric_limits<u64>::max() / a) return true;
    out = a * b;
    return false;
}

SafetensorsReadResult fail(std::string code, std::string message, u64 need = 0) {
    SafetensorsReadResult r;
    r.error = make_error(std::move(code), "file", std::move(message));
    r.need_bytes = need;
    return r;
}

// Deepest [ / { nesting outside strings; stops counting past `limit`.
std::uint32_t json_depth(const char* p, u64 n, std::uint32_t limit) {
    std::uint32_t depth = 0, deepest = 0;
    bool in_string = false, escaped = false;
    for (u64 i = 0; i < n; ++i) {
        const char ch = p[i];
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (ch == '\\')
                escaped = true;
            else if (ch == '"')
                in_string = false;
            continue;
        }
        if (ch == '"')
            in_string = true;
        else if (ch == '{' || ch == '[') {
            if (++depth > deepest) deepest = depth;
            if (deepest > limit) return deepest;
        } else if ((ch == '}' || ch == ']') && depth > 0) {
            --depth;
        }
    }
    return deepest;
}

bool read_u64(const json& v, u64& out) {
    if (v.is_number_unsigned()) {
        out = v.get<u64>();
        return true;
    }
    if (v.is_number_integer() && v.get<std::int64_t>() >= 0) {
        out = static_cast<u64>(v.get<std::int64_t>());
        return true;
    }
    return false;
}

}  // namespace

const SafetensorsDtype* safetensors_dtype(const std::string& name) {
    for (const SafetensorsDtype& d : kDtypes)
        if (name == d.name) return &d;
    return nullptr;
}

SafetensorsReadResult read_safetensors_header(const std::uint8_t* data, std::uint64_t size, std::uint64_t file_size) {
    if (file_size > 0 && size > file_size) size = file_size;
    if (size < 8) {
        if (file_size > 0 && file_size < 8)
            return fail("safetensors_truncated", "the file has only " + std::to_string(file_size) +
                                                     " bytes; a safetensors file starts with an 8-byte header length");
        return fail("safetensors_truncated", "need more bytes: 8 (have " + std::to_string(size) + ")", 8);
    }
    u64 n = 0;
    std::memcpy(&n, data, 8);  // little-endian hosts
    if (n > kSafetensorsMaxHeaderBytes) {
        return fail("safetensors_too_large", "the header claims " + std::to_string(n) + " bytes, beyond the limit of " +
                                                 std::to_string(kSafetensorsMaxHeaderBytes));
    }
    if (n < 2)
        return fail("safetensors_bad_header",
                    "the header length is " + std::to_string(n) + ", too short for a JSON object");
    const u64 end = 8 + n;
    if (file_size > 0 && end > file_size) {
        return fail("safetensors_truncated", "the header ends at byte " + std::to_string(end) +
                                                 " but the file has only " + std::to_string(file_size) + " bytes");
    }
    if (end > size) {
        return fail("safetensors_truncated",
                    "need more bytes: " + std::to_string(end) + " (have " + std::to_string(size) + ")", end);
    }
    const char* text = reinterpret_cast<const char*>(data + 8);
    if (text[0] != '{')
        return fail("safetensors_bad_header", "the header is not a JSON object (it starts with byte " +
                                                  std::to_string(int(std::uint8_t(text[0]))) + ")");
    if (json_depth(text, n, kSafetensorsMaxJsonDepth) > kSafetensorsMaxJsonDepth) {
        return fail("safetensors_bad_header",
                    "the header JSON nests deeper than " + std::to_string(kSafetensorsMaxJsonDepth) + " levels");
    }
    // Trailing spaces pad the header to an alignment; they are valid JSON whitespace.
    const json j = json::parse(text, text + n, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return fail("safetensors_bad_header", "the header is not valid JSON");
    if (j.size() > kSafetensorsMaxTensorCount + 1) {
        return fail("safetensors_too_large", "the header lists " + std::to_string(j.size()) +
                                                 " entries, beyond the limit of " +
                                                 std::to_string(kSafetensorsMaxTensorCount));
    }

    SafetensorsReadResult r;
    SafetensorsHeader& h = r.header;
    h.header_bytes = n;
    h.data_offset_bytes = end;
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string& name = it.key();
        const json& e = it.value();
        if (name == "__metadata__") {
            if (!e.is_object()) return fail("safetensors_bad_header", "__metadata__ must be an object of strings");
            for (auto m = e.begin(); m != e.end(); ++m) {
                if (!m.value().is_string())
                    return fail("safetensors_bad_header", "__metadata__." + m.key() + " must be a string");
                h.metadata.emplace_back(m.key(), m.value().get<std::string>());
            }
            continue;
        }
        auto bad = [&](const std::string& why) {
            return fail("safetensors_bad_tensor", "tensor '" + name + "' " + why);
        };
        if (!e.is_object()) return bad("is not an object");
        if (!e.contains("dtype") || !e["dtype"].is_string()) return bad("has no dtype");
        if (!e.contains("shape") || !e["shape"].is_array()) return bad("has no shape");
        if (!e.contains("data_offsets") || !e["data_offsets"].is_array() || e["data_offsets"].size() != 2)
            return bad("has no [begin, end] data_offsets");
        SafetensorsTensor t;
        t.name = name;
        t.dtype = e["dtype"].get<std::string>();
        const SafetensorsDtype* dt = safetensors_dtype(t.dtype);
        if (!dt) return bad("has unknown dtype '" + t.dtype.substr(0, 32) + "'");
        if (e["shape"].size() > kSafetensorsMaxDims)
            return bad("has " + std::to_string(e["shape"].size()) + " dimensions (at most " +
                       std::to_string(kSafetensorsMaxDims) + ")");
        u64 elements = 1;
        for (const json& d : e["shape"]) {
            u64 v = 0;
            if (!read_u64(d, v)) return bad("has a shape entry that is not a non-negative integer");
            if (mul_overflows(elements, v, elements)) return bad("has more elements than any file holds");
            t.shape.push_back(v);
        }
        t.n_elements = elements;
        if (!read_u64(e["data_offsets"][0], t.begin_bytes) || !read_u64(e["data_offsets"][1], t.end_bytes) ||
            t.end_bytes < t.begin_bytes) {
            return bad("has data_offsets that are not an increasing pair of non-negative integers");
        }
        u64 bits = 0;
        if (mul_overflows(elements, dt->bits, bits)) return bad("has more elements than any file holds");
        const u64 bytes = bits / 8 + (bits % 8 ? 1 : 0);
        if (t.end_bytes - t.begin_bytes != bytes) {
            return bad("spans " + std::to_string(t.end_bytes - t.begin_bytes) + " bytes but its " + t.dtype +
                       " shape needs " + std::to_string(bytes));
        }
        h.tensors.push_back(std::move(t));
    }
    // Offsets must tile the data section from 0 without holes or overlaps.
    std::vector<const SafetensorsTensor*> order;
    order.reserve(h.tensors.size());
    for (const SafetensorsTensor& t : h.tensors) order.push_back(&t);
    std::sort(order.begin(), order.end(), [](const SafetensorsTensor* a, const SafetensorsTensor* b) {
        return a->begin_bytes != b->begin_bytes ? a->begin_bytes < b->begin_bytes : a->end_bytes < b->end_bytes;
    });
    u64 at = 0;
    for (const SafetensorsTensor* t : order) {
        if (t->begin_bytes != at) {
            return fail("safetensors_bad_tensor", "tensor '" + t->name + "' starts at data byte " +
                                                      std::to_string(t->begin_bytes) + " where " + std::to_string(at) +
                                                      " was expected (holes and overlaps are invalid)");
        }
        at = t->end_bytes;
    }
    h.data_bytes = at;
    if (file_size > 0) {
        if (h.data_offset_bytes + h.data_bytes > file_size) {
            return fail("safetensors_bad_tensor",
                        "the tensor data ends at byte " + std::to_string(h.data_offset_bytes + h.data_bytes) +
                            ", beyond the end of the file (" + std::to_string(file_size) + " bytes)");
        }
        h.file_bytes = file_size;
    } else {
        h.file_bytes = h.data_offset_bytes + h.data_bytes;
    }
    r.ok = true;
    return r;
}

bool looks_like_safetensors_index(const nlohmann::json& j) {
    return j.is_object() && j.contains("weight_map") && j["weight_map"].is_object();
}

Result<SafetensorsIndex> read_safetensors_index(const nlohmann::json& j) {
    if (!looks_like_safetensors_index(j)) {
        return make_error("safetensors_bad_index", "file", "model.safetensors.index.json needs a weight_map object");
    }
    SafetensorsIndex idx;
    const json& wm = j["weight_map"];
    if (wm.size() > kSafetensorsMaxTensorCount) {
        return make_error("safetensors_too_large", "file",
                          "the weight_map lists " + std::to_string(wm.size()) + " tensors, beyond the limit of " +
                              std::to_string(kSafetensorsMaxTensorCount));
    }
    std::unordered_set<std::string> seen;
    for (auto it = wm.begin(); it != wm.end(); ++it) {
        if (!it.value().is_string()) {
            return make_error("safetensors_bad_index", "file",
                              "weight_map['" + it.key() + "'] must name a .safetensors file");
        }
        const std::string f = it.value().get<std::string>();
        if (seen.insert(f).second) idx.files.push_back(f);
        ++idx.tensor_count;
    }
    if (j.contains("metadata") && j["metadata"].is_object() && j["metadata"].contains("total_size")) {
        const json& ts = j["metadata"]["total_size"];
        u64 v = 0;
        if (read_u64(ts, v)) {
            idx.total_size_bytes = v;
            idx.total_size_known = true;
        } else if (ts.is_number_float() && ts.get<double>() >= 0 && ts.get<double>() < 1.8e19) {
            idx.total_size_bytes = static_cast<u64>(ts.get<double>());
            idx.total_size_known = true;
        } else {
            return make_error("safetensors_bad_index", "file",
                              "metadata.total_size must be a non-negative number of bytes");
        }
    }
    return idx;
}

}  // namespace headroom
