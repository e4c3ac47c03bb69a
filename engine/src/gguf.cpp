// GGUF header reader. Layout (ggml/docs/gguf.md; ggml/src/gguf.cpp):
//   u32 magic "GGUF", u32 version, u64 n_tensors, u64 n_kv,
//   n_kv × { string key, u32 type, value },
//   n_tensors × { string name, u32 n_dims, u64 ne[n_dims], u32 type, u64 offset },
//   padding to general.alignment, then the tensor data.
// A string is u64 length + bytes (no terminator); an array is u32 element type,
// u64 count, then the elements. Version 1 (u32 counts) is refused.
#include "gguf.hpp"

#include <cstring>
#include <limits>
#include <unordered_set>

#include "quant.hpp"

namespace headroom {
namespace {

using u64 = std::uint64_t;

constexpr std::uint32_t kGgufMagic = 0x46554747u;  // "GGUF" read as little-endian u32
constexpr std::uint32_t kGgufMinVersion = 2;
constexpr std::uint32_t kGgufMaxVersion = 3;
// Largest element count ggml accepts for one tensor (ne are int64_t).
constexpr u64 kMaxElements = static_cast<u64>(std::numeric_limits<std::int64_t>::max());

bool mul_overflows(u64 a, u64 b, u64& out) {
    if (a != 0 && b > std::numeric_limits<u64>::max() / a) return true;
    out = a * b;
    return false;
}

bool add_overflows(u64 a, u64 b, u64& out) {
    if (b > std::numeric_limits<u64>::max() - a) return true;
    out = a + b;
    return false;
}

std::size_t value_size(GgufValueType t) {
    switch (t) {
        case GgufValueType::u8:
        case GgufValueType::i8:
        case GgufValueType::boolean:
            return 1;
        case GgufValueType::u16:
        case GgufValueType::i16:
            return 2;
        case GgufValueType::u32:
        case GgufValueType::i32:
        case GgufValueType::f32:
            return 4;
        case GgufValueType::u64:
        case GgufValueType::i64:
        case GgufValueType::f64:
            return 8;
        case GgufValueType::string:
        case GgufValueType::array:
            return 0;
    }
    return 0;
}

bool known_type(std::uint32_t t) {
    return t <= static_cast<std::uint32_t>(GgufValueType::f64);
}

// Sequential little-endian reader over the prefix. The first failure sticks.
class Cursor {
public:
    Cursor(const std::uint8_t* data, u64 size, u64 file_size) : data_(data), size_(size), file_size_(file_size) {}

    bool failed() const { return failed_; }
    const GgufReadError& failure() const { return failure_; }
    u64 pos() const { return pos_; }

    void fail(const std::string& code, const std::string& message, u64 need = 0) {
        if (failed_) return;
        failed_ = true;
        failure_.error = make_error(code, "file", message);
        failure_.need_bytes = need;
    }

    // Makes sure n more bytes are present; reports what is missing.
    bool need(u64 n, const char* what) {
        if (failed_) return false;
        u64 end = 0;
        if (add_overflows(pos_, n, end)) {
            fail("gguf_too_large", std::string(what) + " claims more bytes than any file holds");
            return false;
        }
        if (end > kGgufMaxHeaderBytes) {
            fail("gguf_too_large", std::string(what) + " ends at byte " + std::to_string(end) +
                                       ", beyond the header limit of " + std::to_string(kGgufMaxHeaderBytes) +
                                       " bytes");
            return false;
        }
        if (file_size_ > 0 && end > file_size_) {
            fail("gguf_truncated", std::string(what) + " ends at byte " + std::to_string(end) +
                                       " but the file has only " + std::to_string(file_size_) + " bytes");
            return false;
        }
        if (end > size_) {
            fail("gguf_truncated",
                 "need more bytes: " + std::to_string(end) + " (have " + std::to_string(size_) + ", reading " + what +
                     ")",
                 end);
            return false;
        }
        return true;
    }

    template <typename T>
    T read(const char* what) {
        T v{};
        if (!need(sizeof(T), what)) return v;
        std::memcpy(&v, data_ + pos_, sizeof(T));  // hosts are little-endian (x86, ARM, wasm32)
        pos_ += sizeof(T);
        return v;
    }

    void skip(u64 n, const char* what) {
        if (need(n, what)) pos_ += n;
    }

    // A string of at most `limit` bytes; keeps at most `keep` of them.
    std::string string(const char* what, u64 limit, u64 keep, u64* length = nullptr) {
        const u64 n = read<u64>(what);
        if (failed_) return {};
        if (length) *length = n;
        if (n > limit) {
            fail("gguf_too_large", std::string(what) + " is " + std::to_string(n) +
                                       " bytes long, beyond the limit of " + std::to_string(limit));
            return {};
        }
        if (!need(n, what)) return {};
        std::string s(reinterpret_cast<const char*>(data_ + pos_), static_cast<std::size_t>(n < keep ? n : keep));
        pos_ += n;
        return s;
    }

private:
    const std::uint8_t* data_;
    u64 size_;
    u64 file_size_;
    u64 pos_ = 0;
    bool failed_ = false;
    GgufReadError failure_;
};

double read_number(Cursor& c, GgufValueType t, GgufValue* scalar) {
    switch (t) {
        case GgufValueType::u8: {
            const auto v = c.read<std::uint8_t>("a u8 value");
            if (scalar) scalar->uinteger = v, scalar->integer = v;
            return v;
        }
        case GgufValueType::i8: {
            const auto v = c.read<std::int8_t>("an i8 value");
            if (scalar) scalar->integer = v;
            return v;
        }
        case GgufValueType::u16: {
            const auto v = c.read<std::uint16_t>("a u16 value");
            if (scalar) scalar->uinteger = v, scalar->integer = v;
            return v;
        }
        case GgufValueType::i16: {
            const auto v = c.read<std::int16_t>("an i16 value");
            if (scalar) scalar->integer = v;
            return v;
        }
        case GgufValueType::u32: {
            const auto v = c.read<std::uint32_t>("a u32 value");
            if (scalar) scalar->uinteger = v, scalar->integer = v;
            return v;
        }
        case GgufValueType::i32: {
            const auto v = c.read<std::int32_t>("an i32 value");
            if (scalar) scalar->integer = v;
            return v;
        }
        case GgufValueType::u64: {
            const auto v = c.read<std::uint64_t>("a u64 value");
            if (scalar)
                scalar->uinteger = v,
                scalar->integer = v > u64(std::numeric_limits<std::int64_t>::max()) ? -1 : std::int64_t(v);
            return double(v);
        }
        case GgufValueType::i64: {
            const auto v = c.read<std::int64_t>("an i64 value");
            if (scalar) scalar->integer = v;
            return double(v);
        }
        case GgufValueType::f32: {
            const float v = c.read<float>("an f32 value");
            return v == v ? double(v) : 0.0;  // NaN is kept out of the engine
        }
        case GgufValueType::f64: {
            const double v = c.read<double>("an f64 value");
            return v == v ? v : 0.0;
        }
        case GgufValueType::boolean: {
            const auto v = c.read<std::uint8_t>("a bool value");
            if (v > 1) c.fail("gguf_bad_metadata", "a bool value is " + std::to_string(v) + ", not 0 or 1");
            if (scalar) scalar->boolean = v != 0;
            return v;
        }
        case GgufValueType::string:
        case GgufValueType::array:
            break;
    }
    return 0.0;
}

void read_value(Cursor& c, GgufValue& v, const std::string& key) {
    if (v.type == GgufValueType::string) {
        v.text = c.string("a string value", kGgufMaxStringBytes, kGgufKeptStringBytes, &v.text_bytes);
        return;
    }
    if (v.type != GgufValueType::array) {
        v.number = read_number(c, v.type, &v);
        if (v.type == GgufValueType::i8 || v.type == GgufValueType::i16 || v.type == GgufValueType::i32 ||
            v.type == GgufValueType::i64)
            v.uinteger = v.integer >= 0 ? u64(v.integer) : 0;
        return;
    }
    const std::uint32_t et = c.read<std::uint32_t>("an array type");
    const u64 count = c.read<u64>("an array length");
    if (c.failed()) return;
    if (!known_type(et)) {
        c.fail("gguf_bad_metadata", "key '" + key + "' is an array of unknown type " + std::to_string(et));
        return;
    }
    if (et == static_cast<std::uint32_t>(GgufValueType::array)) {
        c.fail("gguf_bad_metadata", "key '" + key + "' is an array of arrays, which GGUF readers do not accept");
        return;
    }
    if (count > kGgufMaxArrayCount) {
        c.fail("gguf_too_large", "key '" + key + "' has " + std::to_string(count) + " elements, beyond the limit of " +
                                     std::to_string(kGgufMaxArrayCount));
        return;
    }
    v.array_type = static_cast<GgufValueType>(et);
    v.array_count = count;
    if (v.array_type == GgufValueType::string) {
        for (u64 i = 0; i < count && !c.failed(); ++i) c.string("an array string", kGgufMaxStringBytes, 0);
        return;
    }
    const std::size_t width = value_size(v.array_type);
    u64 bytes = 0;
    if (mul_overflows(count, width, bytes)) {
        c.fail("gguf_too_large", "key '" + key + "' array size overflows");
        return;
    }
    if (!c.need(bytes, "an array")) return;  // all elements present before any is kept
    v.numbers_complete = count <= kGgufKeptArrayCount;
    if (v.numbers_complete) v.numbers.reserve(static_cast<std::size_t>(count));
    for (u64 i = 0; i < count && !c.failed(); ++i) {
        const double x = read_number(c, v.array_type, nullptr);
        if (v.numbers_complete) v.numbers.push_back(x);
    }
}

}  // namespace

const char* gguf_value_type_name(GgufValueType t) {
    switch (t) {
        case GgufValueType::u8:
            return "u8";
        case GgufValueType::i8:
            return "i8";
        case GgufValueType::u16:
            return "u16";
        case GgufValueType::i16:
            return "i16";
        case GgufValueType::u32:
            return "u32";
        case GgufValueType::i32:
            return "i32";
        case GgufValueType::f32:
            return "f32";
        case GgufValueType::boolean:
            return "bool";
        case GgufValueType::string:
            return "string";
        case GgufValueType::array:
            return "array";
        case GgufValueType::u64:
            return "u64";
        case GgufValueType::i64:
            return "i64";
        case GgufValueType::f64:
            return "f64";
    }
    return "unknown";
}

bool GgufValue::is_integer() const {
    switch (type) {
        case GgufValueType::u8:
        case GgufValueType::i8:
        case GgufValueType::u16:
        case GgufValueType::i16:
        case GgufValueType::u32:
        case GgufValueType::i32:
        case GgufValueType::u64:
        case GgufValueType::i64:
            return true;
        default:
            return false;
    }
}

const GgufValue* GgufHeader::find(const std::string& key) const {
    for (const GgufKv& kv : kvs)
        if (kv.key == key) return &kv.value;
    return nullptr;
}

bool looks_like_gguf(const std::uint8_t* data, std::uint64_t size) {
    return size >= 4 && std::memcmp(data, "GGUF", 4) == 0;
}

GgufReadResult read_gguf_header(const std::uint8_t* data, std::uint64_t size, std::uint64_t file_size) {
    GgufReadResult out;
    if (file_size > 0 && size > file_size) size = file_size;
    Cursor c(data, size, file_size);
    auto fail_out = [&]() {
        out.ok = false;
        out.failure = c.failure();
        return out;
    };

    const std::uint32_t magic = c.read<std::uint32_t>("the magic");
    if (c.failed()) return fail_out();
    if (magic != kGgufMagic) {
        c.fail("gguf_bad_magic", "not a GGUF file: it starts with bytes other than \"GGUF\"");
        return fail_out();
    }
    GgufHeader& h = out.header;
    h.version = c.read<std::uint32_t>("the version");
    if (c.failed()) return fail_out();
    if (h.version < kGgufMinVersion || h.version > kGgufMaxVersion) {
        std::string msg = "GGUF version " + std::to_string(h.version) + " is not supported (versions 2 and 3 are)";
        if ((h.version & 0xffffu) == 0 && (h.version >> 24) >= kGgufMinVersion) msg += "; the file looks big-endian";
        c.fail("gguf_unsupported_version", msg);
        return fail_out();
    }
    h.tensor_count = c.read<u64>("the tensor count");
    h.kv_count = c.read<u64>("the metadata count");
    if (c.failed()) return fail_out();
    if (h.tensor_count > kGgufMaxTensorCount) {
        c.fail("gguf_too_large", "the header declares " + std::to_string(h.tensor_count) +
                                     " tensors, beyond the limit of " + std::to_string(kGgufMaxTensorCount));
        return fail_out();
    }
    if (h.kv_count > kGgufMaxKvCount) {
        c.fail("gguf_too_large", "the header declares " + std::to_string(h.kv_count) +
                                     " metadata keys, beyond the limit of " + std::to_string(kGgufMaxKvCount));
        return fail_out();
    }

    // Metadata. Vectors grow as entries are actually read, never by the declared count.
    for (u64 i = 0; i < h.kv_count && !c.failed(); ++i) {
        GgufKv kv;
        kv.key = c.string("a metadata key", kGgufMaxKeyBytes, kGgufMaxKeyBytes);
        const std::uint32_t t = c.read<std::uint32_t>("a metadata type");
        if (c.failed()) break;
        if (!known_type(t)) {
            c.fail("gguf_bad_metadata", "key '" + kv.key + "' has unknown value type " + std::to_string(t));
            break;
        }
        kv.value.type = static_cast<GgufValueType>(t);
        read_value(c, kv.value, kv.key);
        if (c.failed()) break;
        if (h.find(kv.key)) {
            c.fail("gguf_bad_metadata", "key '" + kv.key + "' appears twice");
            break;
        }
        h.kvs.push_back(std::move(kv));
    }
    if (c.failed()) return fail_out();

    if (const GgufValue* a = h.find("general.alignment")) {
        if (!a->is_integer() || a->uinteger == 0 || a->uinteger > (1u << 30) ||
            (a->uinteger & (a->uinteger - 1)) != 0) {
            c.fail("gguf_bad_metadata", "general.alignment must be a power of two, got " + std::to_string(a->number));
            return fail_out();
        }
        h.alignment = static_cast<std::uint32_t>(a->uinteger);
    }

    // Tensor infos.
    std::unordered_set<std::string> names;
    for (u64 i = 0; i < h.tensor_count && !c.failed(); ++i) {
        GgufTensorInfo t;
        t.name = c.string("a tensor name", kGgufMaxKeyBytes, kGgufMaxKeyBytes);
        t.n_dims = c.read<std::uint32_t>("a tensor's dimension count");
        if (c.failed()) break;
        if (t.n_dims == 0 || t.n_dims > kGgufMaxDims) {
            c.fail("gguf_bad_tensor", "tensor '" + t.name + "' has " + std::to_string(t.n_dims) + " dimensions (1 to " +
                                          std::to_string(kGgufMaxDims) + " allowed)");
            break;
        }
        for (std::uint32_t d = 0; d < t.n_dims; ++d) t.ne[d] = c.read<u64>("a tensor dimension");
        t.ggml_type_id = c.read<std::uint32_t>("a tensor type");
        t.offset_bytes = c.read<u64>("a tensor offset");
        if (c.failed()) break;

        GgmlType type;
        if (!ggml_type_from_id(t.ggml_type_id, type)) {
            c.fail("gguf_bad_tensor",
                   "tensor '" + t.name + "' has unknown ggml type " + std::to_string(t.ggml_type_id));
            break;
        }
        const GgmlTypeInfo& info = ggml_type_info(type);
        u64 elements = 1;
        bool overflow = false;
        for (std::uint32_t d = 0; d < kGgufMaxDims && !overflow; ++d)
            overflow = mul_overflows(elements, t.ne[d], elements);
        if (overflow || elements > kMaxElements) {
            c.fail("gguf_bad_tensor", "tensor '" + t.name + "' has more elements than ggml can address");
            break;
        }
        if (elements == 0) {
            c.fail("gguf_bad_tensor", "tensor '" + t.name + "' has a zero dimension");
            break;
        }
        if (t.ne[0] % info.block_size != 0) {
            c.fail("gguf_bad_tensor", "tensor '" + t.name + "' has rows of " + std::to_string(t.ne[0]) +
                                          " elements, not a multiple of " + info.name + "'s block of " +
                                          std::to_string(info.block_size));
            break;
        }
        t.n_elements = elements;
        u64 bytes = 0;
        if (mul_overflows(elements / info.block_size, info.type_size, bytes)) {
            c.fail("gguf_bad_tensor", "tensor '" + t.name + "' size overflows");
            break;
        }
        t.size_bytes = bytes;
        if (t.offset_bytes % h.alignment != 0) {
            c.fail("gguf_bad_tensor", "tensor '" + t.name + "' starts at data offset " +
                                          std::to_string(t.offset_bytes) + ", not a multiple of the alignment " +
                                          std::to_string(h.alignment));
            break;
        }
        u64 end = 0;
        if (add_overflows(t.offset_bytes, t.size_bytes, end)) {
            c.fail("gguf_bad_tensor", "tensor '" + t.name + "' offset + size overflows");
            break;
        }
        if (end > h.data_bytes) h.data_bytes = end;
        if (!names.insert(t.name).second) {
            c.fail("gguf_bad_tensor", "tensor '" + t.name + "' appears twice");
            break;
        }
        h.tensors.push_back(std::move(t));
    }
    if (c.failed()) return fail_out();

    h.tensor_infos_end_bytes = c.pos();
    const u64 pad = (h.alignment - h.tensor_infos_end_bytes % h.alignment) % h.alignment;
    h.data_offset_bytes = h.tensor_infos_end_bytes + pad;
    u64 data_end = 0;
    if (add_overflows(h.data_offset_bytes, h.data_bytes, data_end)) {
        c.fail("gguf_bad_tensor", "the tensor data ends beyond any file size");
        return fail_out();
    }
    if (file_size > 0) {
        for (const GgufTensorInfo& t : h.tensors) {
            if (h.data_offset_bytes + t.offset_bytes + t.size_bytes > file_size) {
                c.fail("gguf_bad_tensor", "tensor '" + t.name + "' ends at byte " +
                                              std::to_string(h.data_offset_bytes + t.offset_bytes + t.size_bytes) +
                                              ", beyond the end of the file (" + std::to_string(file_size) + " bytes)");
                return fail_out();
            }
        }
        h.file_bytes = file_size;
    } else {
        h.file_bytes = data_end;
    }
    out.ok = true;
    return out;
}

}  // namespace headroom
