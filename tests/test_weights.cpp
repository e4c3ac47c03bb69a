// Weight bytes per format: totals against llama.cpp's own numbers and
// published file sizes, the breakdown, and the bytes one token reads.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <numeric>
#include <sstream>

#include "arch_fixtures.hpp"
#include "test_support.hpp"
#include "weights.hpp"

using namespace headroom;

namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
constexpr double kMiB = 1024.0 * 1024.0;

WeightBreakdown weights_for(const ModelArch& a, const std::string& quant) {
    auto f = parse_weight_format(quant);
    REQUIRE(f.ok());
    return compute_weights(a, build_tensor_inventory(a), *f);
}

// Minimal CSV reader: commas, double-quoted fields with "" escapes.
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> row;
    std::string field;
    bool quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') { field += '"'; ++i; }
            else if (c == '"') quoted = false;
            else field += c;
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            row.push_back(field);
            field.clear();
        } else if (c == '\n' || c == '\r') {
            if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
            row.push_back(field);
            field.clear();
            if (!(row.size() == 1 && row[0].empty())) rows.push_back(row);
            row.clear();
        } else {
            field += c;
        }
    }
    if (!field.empty() || !row.empty()) {
        row.push_back(field);
        rows.push_back(row);
    }
    return rows;
}

bool has(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("Llama-3-8B tensor bytes match llama-quantize's size table", "[weights]") {
    // tools/quantize/quantize.cpp prints these GiB figures for Llama-3-8B
    // (runtime-memory.md §1.5); the issue pins them within 1 %.
    const ModelArch a = headroom_test::llama3_8b();
    const std::vector<std::pair<std::string, double>> table = {
        {"Q2_K", 2.96},   {"Q3_K_S", 3.41}, {"Q3_K_M", 3.74}, {"Q3_K_L", 4.03}, {"Q4_0", 4.34}, {"Q4_K_S", 4.37},
        {"Q4_K_M", 4.58}, {"Q5_K_S", 5.21}, {"Q5_K_M", 5.33}, {"Q6_K", 6.14},   {"Q8_0", 7.96},
    };
    for (const auto& [quant, gib] : table) {
        const double predicted = weights_for(a, quant).total_bytes / kGiB;
        const double err = 100.0 * (predicted - gib) / gib;
        CAPTURE(quant, predicted, gib, err);
        CHECK(std::fabs(err) < 1.0);
    }
}

TEST_CASE("Q4_K_M on Llama-3-8B is 4.89 bits per weight, not 4.5", "[weights]") {
    const ModelArch a = headroom_test::llama3_8b();
    const WeightBreakdown w = weights_for(a, "Q4_K_M");
    // llama.cpp: "model size = 4.58 GiB (4.89 BPW)", params 8.03 B.
    CHECK(w.bits_per_weight == Approx(4.89).epsilon(0.005));
    CHECK(build_tensor_inventory(a).params_total == 8030261248ull);
    // llama.cpp's load log for this file: token_embd stays on the CPU (281.81 MiB),
    // the other 32 layers + output go to CUDA0 (4403.49 MiB).
    CHECK(w.token_embd_bytes / kMiB == Approx(281.81).epsilon(0.0001));
    CHECK((w.total_bytes - w.token_embd_bytes) / kMiB == Approx(4403.49).epsilon(0.001));
}

TEST_CASE("Breakdown fields and layers add up to the total", "[weights]") {
    for (const ModelArch& a : {headroom_test::llama3_8b(), headroom_test::gpt_oss_20b(), headroom_test::llama32_1b_tied()}) {
        for (const char* q : {"Q4_K_M", "Q8_0", "MXFP4", "AWQ-INT4", "MLX-4bit", "BF16"}) {
            CAPTURE(a.model_type, q);
            const WeightBreakdown w = weights_for(a, q);
            const double fields = w.token_embd_bytes + w.output_bytes + w.attention_bytes + w.recurrent_bytes +
                                  w.dense_ffn_bytes + w.routed_expert_bytes + w.shared_expert_bytes + w.other_bytes;
            CHECK(fields == Approx(w.total_bytes));
            REQUIRE(w.layer_bytes.size() == a.n_layer);
            const double layers = std::accumulate(w.layer_bytes.begin(), w.layer_bytes.end(), 0.0);
            // Outside the layers: embedding, head and the final norm (n_embd F32/16-bit values).
            const double final_norm = w.total_bytes - layers - w.token_embd_bytes - w.output_bytes;
            CHECK(final_norm > 0.0);
            CHECK(final_norm <= 4.0 * a.n_embd);
            const double routed = std::accumulate(w.layer_routed_bytes.begin(), w.layer_routed_bytes.end(), 0.0);
            CHECK(routed == Approx(w.routed_expert_bytes));
            CHECK(w.storage.size() == build_tensor_inventory(a).tensors.size());
        }
    }
}

TEST_CASE("Bytes read per decoded token", "[weights]") {
    SECTION("dense untied: everything but the embedding, plus one embedding row") {
        const ModelArch a = headroom_test::llama3_8b();
        const WeightBreakdown w = weights_for(a, "Q4_K_M");
        // One Q4_K row of 4096 = 2304 bytes.
        CHECK(w.read_per_token_bytes == Approx(w.total_bytes - w.token_embd_bytes + 2304.0));
        CHECK(w.output_bytes > 0.0);
    }
    SECTION("tied: the embedding matrix is read once, in full, as the head") {
        const ModelArch a = headroom_test::llama32_1b_tied();
        const WeightBreakdown w = weights_for(a, "Q4_K_M");
        CHECK(w.output_bytes == 0.0);
        CHECK(w.read_per_token_bytes == Approx(w.total_bytes));
        // Q6_K embedding: 128256 × 2048 / 256 × 210 bytes.
        CHECK(w.token_embd_bytes == 128256.0 * 8.0 * 210.0);
    }
    SECTION("MoE: routed experts scaled by n_expert_used / n_expert") {
        const ModelArch a = headroom_test::gpt_oss_20b();
        const WeightBreakdown w = weights_for(a, "MXFP4");
        REQUIRE(w.routed_expert_bytes > 0.0);
        const double row = w.token_embd_bytes / double(a.n_vocab);
        const double expected = w.total_bytes - w.token_embd_bytes - w.routed_expert_bytes * (1.0 - 4.0 / 32.0) + row;
        CHECK(w.read_per_token_bytes == Approx(expected));
        // Expert matrices dominate gpt-oss-20b: > 80 % of its bytes.
        CHECK(w.routed_expert_bytes > 0.8 * w.total_bytes);
    }
}

TEST_CASE("GGUF file size: aligned tensor data plus a header", "[weights]") {
    const ModelArch a = headroom_test::llama3_8b();
    const WeightBreakdown w = weights_for(a, "Q4_K_M");
    const double header = w.file_bytes - w.total_bytes;
    // 291 tensors, 128256-token BPE vocabulary: a few MB, well under 0.5 % of the file.
    CHECK(header > 4e6);
    CHECK(header < 0.005 * w.total_bytes);
    // Non-GGUF: safetensors headers are small.
    const WeightBreakdown awq = weights_for(a, "AWQ-INT4");
    CHECK(awq.file_bytes > awq.total_bytes);
    CHECK(awq.file_bytes < awq.total_bytes * 1.001);
}

TEST_CASE("Llama-3.2-3B (tied) Q4_K_M tensor bytes match llama-bench", "[weights]") {
    // meta-llama/Llama-3.2-3B: 3072 wide, 28 layers, 24 q / 8 kv heads of 128,
    // n_ff 8192, tied embeddings. llama-bench size 1.87 GiB (measured_sizes.csv).
    ModelArch a = headroom_test::dense_llama(3072, 28, 24, 8, 8192, 128256);
    a.tied_embeddings = true;
    const double predicted = weights_for(a, "Q4_K_M").total_bytes / kGiB;
    CAPTURE(predicted);
    CHECK(std::fabs(predicted - 1.87) / 1.87 < 0.01);
}

TEST_CASE("Every mappable Llama-3/3.1 8B and 70B size in measured_sizes.csv within 1 %", "[weights]") {
    const std::string text = headroom_test::read_text_file(headroom_test::shared_path("validation/dev/measured_sizes.csv"));
    REQUIRE_FALSE(text.empty());
    const auto rows = parse_csv(text);
    REQUIRE(rows.size() > 1);
    const auto& head = rows[0];
    auto col = [&](const char* name) {
        for (std::size_t i = 0; i < head.size(); ++i)
            if (head[i] == name) return i;
        FAIL("no column " << name);
        return std::size_t(0);
    };
    const std::size_t c_model = col("model"), c_quant = col("quant"), c_value = col("bytes_or_gib"), c_unit = col("unit"),
                      c_what = col("what"), c_notes = col("notes");

    const ModelArch m8 = headroom_test::llama3_8b();
    const ModelArch m70 = headroom_test::llama31_70b();
    int checked = 0, skipped = 0;
    std::ostringstream table;
    for (std::size_t r = 1; r < rows.size(); ++r) {
        const auto& row = rows[r];
        if (row.size() < head.size()) continue;
        const std::string& model = row[c_model];
        const std::string& what = row[c_what];
        if (!has(model, "Llama-3") || has(model, "Llama-3.2")) continue;
        if (what != "file_size" && what != "model_weights_size") continue;
        const bool is70 = has(model, "70B");
        if (!is70 && !has(model, "8B")) continue;
        if (has(row[c_notes], "DO NOT USE") || has(row[c_quant], "part")) {
            ++skipped;
            continue;
        }

        // bartowski's *_L / *_XL files are the base mix with Q8_0 embedding and output.
        std::string quant = row[c_quant];
        bool q8_ends = false;
        if (quant == "Q2_K_L") { quant = "Q2_K"; q8_ends = true; }
        else if (quant == "Q3_K_XL") { quant = "Q3_K_L"; q8_ends = true; }
        else if (quant == "Q4_K_L") { quant = "Q4_K_M"; q8_ends = true; }
        else if (quant == "Q5_K_L") { quant = "Q5_K_M"; q8_ends = true; }
        auto fmt = parse_weight_format(quant);
        if (!fmt.ok()) {  // IQ1_S, IQ1_M, IQ2_S, Q2_K_S, IQ3_S, IQ3_XS, Q5_0, Q5_1: not offered by the engine
            ++skipped;
            continue;
        }
        const ModelArch& a = is70 ? m70 : m8;
        const TensorInventory inv = build_tensor_inventory(a);
        const WeightBreakdown w = compute_weights(a, inv, *fmt);
        double tensor_bytes = w.total_bytes;
        double file_bytes = w.file_bytes;
        if (q8_ends) {
            // Q8_0 rows of n_embd: n_embd / 32 × 34 bytes, for the embedding and the head.
            const double q8 = 2.0 * double(a.n_vocab) * double(ggml_row_bytes(GgmlType::Q8_0, a.n_embd));
            const double delta = q8 - w.token_embd_bytes - w.output_bytes;
            tensor_bytes += delta;
            file_bytes += delta;
        }

        const double value = std::stod(row[c_value]);
        const std::string& unit = row[c_unit];
        double real = 0.0;
        if (unit == "GB") real = value * 1e9;           // Hugging Face listings: decimal GB
        else if (unit == "GiB") real = value * kGiB;    // llama.cpp / llama-bench
        else if (unit == "MB" || unit == "MiB") real = value * kMiB;  // llama.cpp's "MB" is MiB
        else { ++skipped; continue; }

        const double predicted = what == "file_size" ? file_bytes : tensor_bytes;
        const double err = 100.0 * (predicted - real) / real;
        table << model << " " << row[c_quant] << " " << what << ": predicted " << predicted / 1e9 << " GB, real "
              << real / 1e9 << " GB, " << err << " %\n";
        CAPTURE(model, row[c_quant], what, unit, value, predicted, real, err);
        CHECK(std::fabs(err) < 1.0);
        ++checked;
    }
    INFO(table.str());
    CAPTURE(checked, skipped);
    CHECK(checked >= 45);
    if (std::getenv("HEADROOM_PRINT_SIZES")) WARN(table.str() << "checked " << checked << ", skipped " << skipped);
}

TEST_CASE("Non-GGUF totals follow their effective bits", "[weights]") {
    const ModelArch a = headroom_test::llama3_8b();
    const TensorInventory inv = build_tensor_inventory(a);
    // Linear weights of Llama-3-8B: everything except embedding, head and norms.
    const double embed = double(a.n_vocab) * a.n_embd;
    double linear = 0.0, norms = 0.0;
    for (const Tensor& t : inv.tensors) {
        if (t.role == TensorRole::norm) norms += double(t.n_elements());
        else if (t.role != TensorRole::token_embd && t.role != TensorRole::output) linear += double(t.n_elements());
    }
    // AWQ: linear at 4.15625 bits, embedding + head + norms at 16 bits.
    const WeightBreakdown awq = weights_for(a, "AWQ-INT4");
    CHECK(awq.total_bytes == Approx(linear * 4.15625 / 8.0 + (2.0 * embed + norms) * 2.0));
    // MLX 4-bit: everything 2-D at 4.5 bits (dims divide 64), norms 16-bit.
    const WeightBreakdown mlx = weights_for(a, "MLX-4bit");
    CHECK(mlx.total_bytes == Approx((linear + 2.0 * embed) * 4.5 / 8.0 + norms * 2.0));
    CHECK(mlx.bits_per_weight == Approx(4.5).epsilon(0.001));
}
