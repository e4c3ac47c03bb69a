// "This machine" (detect.cpp): real renderer, adapter and tool-output strings,
// each with the public source it was copied from, mapped to catalog entries.
// Sources marked "exact-string index" were found verbatim in several public
// GitHub files (test fixtures and logs of browser tools) by exact search.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "detect.hpp"
#include "test_support.hpp"
#include "units.hpp"

using namespace headroom;
using headroom_test::catalog;

namespace {

Detection from_webgl(const std::string& renderer, const std::string& platform = "") {
    Observations o;
    o.webgl_renderer = renderer;
    o.platform = platform;
    return detect_hardware(o, catalog());
}

Detection from_nvidia_smi(const std::string& csv) {
    Observations o;
    o.nvidia_smi = csv;
    return detect_hardware(o, catalog());
}

std::vector<std::string> ids(const Detection& d) {
    std::vector<std::string> out;
    for (const auto& c : d.candidates) out.push_back(c.id);
    return out;
}

std::vector<std::string> labels(const Detection& d) {
    std::vector<std::string> out;
    for (const auto& c : d.candidates) out.push_back(c.label);
    return out;
}

void require_exact(const Detection& d, const std::string& id) {
    INFO(d.message << " | " << d.detected);
    REQUIRE(d.confidence == DetectConfidence::exact);
    CHECK(d.hardware == id);
    REQUIRE(d.candidates.size() == 1);
    CHECK(d.candidates[0].id == id);
}

}  // namespace

TEST_CASE("Renderer strings reduce to the device they name", "[detect]") {
    // Chrome on Windows, D3D11 (exact-string index; PCI id 0x2684 is the RTX 4090's AD102, as lspci
    // shows in github.com/geerlingguy/raspberry-pi-pcie-devices/issues/504).
    CHECK(device_name_from_renderer(
              "ANGLE (NVIDIA, NVIDIA GeForce RTX 4090 (0x00002684) Direct3D11 vs_5_0 ps_5_0, D3D11)") ==
          "NVIDIA GeForce RTX 4090");
    // Chrome on Linux over the NVIDIA GL driver (exact-string index: an Electron GPU-backend test fixture).
    CHECK(device_name_from_renderer("ANGLE (NVIDIA Corporation, NVIDIA GeForce RTX 3090/PCIe/SSE2, OpenGL 4.5.0)") ==
          "NVIDIA GeForce RTX 3090");
    // ANGLE on Vulkan repeats the vendor (github.com/pmndrs/detect-gpu test/index.test.ts).
    CHECK(device_name_from_renderer(
              "ANGLE (NVIDIA, Vulkan 1.2.175 (NVIDIA NVIDIA GeForce GTX 970 (0x000013C2)), NVIDIA)") ==
          "NVIDIA GeForce GTX 970");
    // Mesa radeonsi (github.com/glmark2/glmark2/issues/205).
    CHECK(device_name_from_renderer(
              "AMD Radeon RX 7900 XTX (radeonsi, navi31, LLVM 17.0.6, DRM 3.57, 6.8.0-51-generic)") ==
          "AMD Radeon RX 7900 XTX");
    // Mesa iris on an Arc A750 (github.com/voldien/glinfo EXAMPLES.md).
    CHECK(device_name_from_renderer("Mesa Intel(R) Arc(tm) A750 Graphics (DG2)") == "Intel Arc A750 Graphics");
    // WSLg's D3D12 wrapper (github.com/microsoft/wslg/issues/946).
    CHECK(device_name_from_renderer("D3D12 (Intel(R) Arc(TM) A380 Graphics)") == "Intel Arc A380 Graphics");
    // Chrome on macOS, ANGLE over Metal (github.com/rive-app/rive-wasm/issues/389).
    CHECK(device_name_from_renderer(
              "ANGLE (Apple, ANGLE Metal Renderer: Apple M4 Pro, Version 15.4.1 (Build 24E263))") == "Apple M4 Pro");
    // Chrome on macOS, ANGLE over OpenGL (github.com/gfx-rs/wgpu/pull/2461).
    CHECK(device_name_from_renderer("ANGLE (Apple, Apple M1 Max, OpenGL 4.1 Metal - 76.3)") == "Apple M1 Max");
    // Names that name no device: Safari (github.com/pmndrs/detect-gpu/issues/111) and an AMD APU as
    // Firefox's about:support lists it (github.com/zen-browser/desktop/issues/5556).
    CHECK(device_name_from_renderer("Apple GPU").empty());
    CHECK(device_name_from_renderer("AMD Radeon(TM) Graphics").empty());
}

TEST_CASE("Software renderers are recognised", "[detect]") {
    // Headless Chromium (github.com/microsoft/playwright/issues/2864).
    CHECK(is_software_renderer("Google SwiftShader"));
    // Chromium with --use-angle=swiftshader-webgl (github.com/BetterWright/betterwright/pull/165).
    CHECK(is_software_renderer(
        "ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)"));
    // Mesa's CPU rasterizer (github.com/geerlingguy/raspberry-pi-pcie-devices/issues/510,
    // github.com/microsoft/WSL/issues/10245).
    CHECK(is_software_renderer("llvmpipe (LLVM 15.0.6, 128 bits)"));
    CHECK(is_software_renderer("llvmpipe (LLVM 10.0.0, 256 bits)"));
    // Windows without a GPU driver (github.com/pmndrs/detect-gpu test/data.ts).
    CHECK(is_software_renderer("ANGLE (Microsoft Basic Render Driver Direct3D11 vs_5_0 ps_5_0)"));
    CHECK_FALSE(
        is_software_renderer("ANGLE (NVIDIA, NVIDIA GeForce RTX 4090 (0x00002684) Direct3D11 vs_5_0 ps_5_0, D3D11)"));
}

TEST_CASE("WebGL: NVIDIA on Windows and Linux is an exact match", "[detect]") {
    const Detection win =
        from_webgl("ANGLE (NVIDIA, NVIDIA GeForce RTX 4090 (0x00002684) Direct3D11 vs_5_0 ps_5_0, D3D11)", "Win32");
    require_exact(win, "nvidia-rtx-4090");
    CHECK(win.vendor == "nvidia");
    CHECK(win.platform == "windows");
    CHECK(win.device == "NVIDIA GeForce RTX 4090");
    CHECK(win.message == "This machine: NVIDIA GeForce RTX 4090.");
    CHECK(win.candidates[0].memory_bytes == 24 * kGiB);

    // Firefox on Linux passes the driver's string through (exact-string index).
    const Detection lin = from_webgl("NVIDIA GeForce RTX 3090/PCIe/SSE2", "Linux x86_64");
    require_exact(lin, "nvidia-rtx-3090");
    CHECK(lin.platform == "linux");
}

TEST_CASE("WebGL: a laptop GPU or a SUPER never matches the desktop card", "[detect]") {
    // Chrome on Windows laptops and desktops (exact-string index: GPU preset tables list both verbatim).
    const Detection laptop =
        from_webgl("ANGLE (NVIDIA, NVIDIA GeForce RTX 4060 Laptop GPU (0x000028A0) Direct3D11 vs_5_0 ps_5_0, D3D11)");
    require_exact(laptop, "nvidia-rtx-4060-laptop");
    CHECK(laptop.device == "NVIDIA GeForce RTX 4060 Laptop GPU");
    require_exact(
        from_webgl("ANGLE (NVIDIA, NVIDIA GeForce RTX 4080 SUPER (0x00002702) Direct3D11 vs_5_0 ps_5_0, D3D11)"),
        "nvidia-rtx-4080-super");
    require_exact(from_webgl("ANGLE (NVIDIA, NVIDIA GeForce RTX 4090 Laptop GPU, OpenGL 4.5)"),
                  "nvidia-rtx-4090-laptop");
    // A GPU the catalog lacks is named, not guessed (github.com/pmndrs/detect-gpu test/index.test.ts).
    const Detection gtx970 =
        from_webgl("ANGLE (NVIDIA, Vulkan 1.2.175 (NVIDIA NVIDIA GeForce GTX 970 (0x000013C2)), NVIDIA)");
    CHECK(gtx970.confidence == DetectConfidence::unknown);
    CHECK(gtx970.candidates.empty());
    CHECK(gtx970.vendor == "nvidia");
    CHECK(gtx970.message == "NVIDIA GeForce GTX 970 is not in the catalog. Pick your GPU from the list.");
}

TEST_CASE("WebGL: AMD discrete, AMD APU and Strix Halo", "[detect]") {
    // glmark2 on Ubuntu (github.com/glmark2/glmark2/issues/205): the same string Firefox exposes on Linux.
    require_exact(from_webgl("AMD Radeon RX 7900 XTX (radeonsi, navi31, LLVM 17.0.6, DRM 3.57, 6.8.0-51-generic)"),
                  "amd-rx-7900-xtx");
    // A Ryzen APU names no device (github.com/zen-browser/desktop/issues/5556).
    const Detection apu = from_webgl("AMD Radeon(TM) Graphics");
    CHECK(apu.confidence == DetectConfidence::unknown);
    CHECK(apu.vendor == "amd");
    CHECK(apu.device.empty());
    CHECK(apu.message == "The browser says only that this is an AMD GPU. Pick your GPU from the list.");
    // Strix Halo's iGPU (github.com/debpalash/VoiceStudio/issues/1274, rocminfo marketing name).
    require_exact(from_webgl("AMD Radeon(TM) 8060S Graphics"), "amd-ryzen-ai-max-plus-395");
}

TEST_CASE("WebGL: Intel Arc A770 is a family of 8 and 16 GB; the A750 is one device; the A380 is not catalogued", "[detect]") {
    // Chrome on Windows (exact-string index: GPU preset and tier tables list it verbatim).
    const Detection d =
        from_webgl("ANGLE (Intel, Intel(R) Arc(TM) A770 Graphics (0x000056A0) Direct3D11 vs_5_0 ps_5_0, D3D11)");
    REQUIRE(d.confidence == DetectConfidence::family);
    CHECK(ids(d) == std::vector<std::string>{"intel-arc-a770-8gb", "intel-arc-a770-16gb"});
    CHECK(labels(d) == std::vector<std::string>{"8 GB", "16 GB"});
    CHECK(d.question == "Intel Arc A770 Graphics — 8 or 16 GB?");
    CHECK(d.vendor == "intel");
    // github.com/voldien/glinfo EXAMPLES.md (Linux, Mesa) and github.com/microsoft/wslg/issues/946.
    CHECK(from_webgl("Mesa Intel(R) Arc(tm) A750 Graphics (DG2)").device == "Intel Arc A750 Graphics");
    // The A750 has one memory size (8 GB), so its name is the device.
    const Detection a750 = from_webgl("Mesa Intel(R) Arc(tm) A750 Graphics (DG2)");
    CHECK(a750.confidence == DetectConfidence::exact);
    CHECK(ids(a750) == std::vector<std::string>{"intel-arc-a750"});
    CHECK(from_webgl("D3D12 (Intel(R) Arc(TM) A380 Graphics)").confidence == DetectConfidence::unknown);
}

TEST_CASE("WebGL on a Mac names the chip; the memory size is a choice", "[detect]") {
    // Chrome on macOS over Metal (exact-string index: run logs and fixture tables record it verbatim).
    const Detection m2max =
        from_webgl("ANGLE (Apple, ANGLE Metal Renderer: Apple M2 Max, Unspecified Version)", "MacIntel");
    REQUIRE(m2max.confidence == DetectConfidence::family);
    CHECK(m2max.platform == "mac");
    CHECK(m2max.vendor == "apple");
    CHECK(ids(m2max) == std::vector<std::string>{"apple-m2-max-32gb", "apple-m2-max-64gb", "apple-m2-max-96gb"});
    CHECK(m2max.question == "Apple M2 Max — 32, 64 or 96 GB?");
    CHECK(m2max.message == "This machine has an Apple M2 Max; which memory size?");
    // github.com/rive-app/rive-wasm/issues/389 (M4 Pro, macOS 15.4.1).
    const Detection m4pro =
        from_webgl("ANGLE (Apple, ANGLE Metal Renderer: Apple M4 Pro, Version 15.4.1 (Build 24E263))");
    CHECK(m4pro.question == "Apple M4 Pro — 24, 48 or 64 GB?");
    // github.com/gfx-rs/wgpu/pull/2461 (M1 Max, ANGLE over OpenGL): never the M1 or M1 Pro.
    CHECK(ids(from_webgl("ANGLE (Apple, Apple M1 Max, OpenGL 4.1 Metal - 76.3)")) ==
          std::vector<std::string>{"apple-m1-max-32gb", "apple-m1-max-64gb"});
    // Safari says only "Apple GPU" (github.com/pmndrs/detect-gpu/issues/111).
    const Detection safari = from_webgl("Apple GPU", "MacIntel");
    CHECK(safari.confidence == DetectConfidence::unknown);
    CHECK(safari.vendor == "apple");
    CHECK(safari.message ==
          "The browser says only that this is an Apple GPU, not which chip. Pick your GPU from the list.");
}

TEST_CASE("WebGPU adapter info: the Apple M3 Max family, narrowed by CPU cores", "[detect]") {
    // MTLDevice.name on an M3 Max with a 40-core GPU and 64 GB (github.com/philipturner/applegpuinfo/issues/4);
    // Chrome puts the Metal device name in GPUAdapterInfo.description.
    Observations o;
    o.webgpu.vendor = "apple";
    o.webgpu.architecture = "common-3";  // Dawn's Apple architecture names (google/dawn src/dawn/gpu_info.json)
    o.webgpu.description = "Apple M3 Max";
    o.platform = "macOS";
    const Detection all = detect_hardware(o, catalog());
    REQUIRE(all.confidence == DetectConfidence::family);
    CHECK(all.question == "Apple M3 Max — 36, 48, 64, 96 or 128 GB?");
    CHECK(labels(all) == std::vector<std::string>{"36 GB", "48 GB", "64 GB", "96 GB", "128 GB"});
    // 16 logical processors: the 16-core CPU (40-core GPU) variants only.
    o.hardware_concurrency = 16;
    const Detection sixteen = detect_hardware(o, catalog());
    CHECK(ids(sixteen) ==
          std::vector<std::string>{"apple-m3-max-40c-48gb", "apple-m3-max-40c-64gb", "apple-m3-max-40c-128gb"});
    CHECK(sixteen.question == "Apple M3 Max — 48, 64 or 128 GB?");
    // A count no variant has (Safari caps it) narrows nothing.
    o.hardware_concurrency = 8;
    CHECK(detect_hardware(o, catalog()).candidates.size() == 5);
}

TEST_CASE("WebGPU: vendor and architecture alone name no device; WebGL then decides", "[detect]") {
    // Chrome's default GPUAdapterInfo (github.com/gpuweb/gpuweb/pull/2990): vendor and architecture only.
    Observations o;
    o.webgpu.vendor = "nvidia";
    o.webgpu.architecture = "turing";
    const Detection alone = detect_hardware(o, catalog());
    CHECK(alone.confidence == DetectConfidence::unknown);
    CHECK(alone.vendor == "nvidia");
    CHECK(alone.message == "The browser says only that this is an NVIDIA GPU. Pick your GPU from the list.");
    CHECK(alone.detected == "WebGPU adapter: nvidia, turing.");
    // With the WebGL fallback's renderer (github.com/pmndrs/detect-gpu test/index.test.ts, an RTX 2080 Ti).
    o.webgl_renderer = "ANGLE (NVIDIA GeForce RTX 2080 Ti Direct3D11 vs_5_0 ps_5_0)";
    require_exact(detect_hardware(o, catalog()), "nvidia-rtx-2080-ti");
    // Safari answers "apple" in every field (github.com/WebKit/WebKit/pull/32610).
    Observations s;
    s.webgpu = {"apple", "apple", "apple", "apple", false};
    const Detection safari = detect_hardware(s, catalog());
    CHECK(safari.confidence == DetectConfidence::unknown);
    CHECK(safari.vendor == "apple");
}

TEST_CASE("Unknown: software renderers, no observations", "[detect]") {
    for (const char* renderer :
         {"Google SwiftShader",
          "ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)",
          "llvmpipe (LLVM 15.0.6, 128 bits)"}) {
        const Detection d = from_webgl(renderer);
        INFO(renderer);
        CHECK(d.confidence == DetectConfidence::unknown);
        CHECK(d.candidates.empty());
        CHECK(d.device.empty());
        CHECK(
            d.message ==
            "The browser draws without a GPU (a software renderer), so it cannot tell which GPU this machine has. Pick "
            "your GPU from the list.");
    }
    const Detection none = detect_hardware(Observations{}, catalog());
    CHECK(none.confidence == DetectConfidence::unknown);
    CHECK(none.detected == "Nothing was detected.");
    CHECK(none.message ==
          "Nothing was detected: we could not tell which GPU this machine has. Pick your GPU from the list.");
}

TEST_CASE("nvidia-smi CSV: names, memory and GPU count", "[detect]") {
    // Two RTX 4090s at 24564 MiB each (github.com/RLinf/RLinf/issues/255), in the CSV that
    // `--query-gpu=name,memory.total --format=csv` prints (header as in github.com/unslothai/unsloth/pull/10703).
    const std::string two_4090 =
        "name, memory.total [MiB]\nNVIDIA GeForce RTX 4090, 24564 MiB\nNVIDIA GeForce RTX 4090, 24564 MiB\n";
    const auto gpus = read_nvidia_smi(two_4090);
    REQUIRE(gpus.size() == 2);
    CHECK(gpus[0].name == "NVIDIA GeForce RTX 4090");
    CHECK(gpus[0].memory_bytes == 24564 * kMiB);
    const Detection d = from_nvidia_smi(two_4090);
    require_exact(d, "nvidia-rtx-4090");
    CHECK(d.gpu_count == 2);
    CHECK(d.message == "This machine: 2 × NVIDIA GeForce RTX 4090.");
    CHECK(d.detected == "2 × NVIDIA GeForce RTX 4090 with 24.0 GiB.");

    // Data-centre names and totals: memory totals from github.com/modal-labs/modal-client/pull/2797;
    // names from github.com/guilbaults/TrailblazingTurtle/pull/73 (H100),
    // github.com/NVIDIA/CUDALibrarySamples/issues/104 and github.com/bottlerocket-os/bottlerocket/pull/3873 (A100 SXM4
    // 80/40 GB).
    require_exact(from_nvidia_smi("NVIDIA H100 80GB HBM3, 81559 MiB"), "nvidia-h100-sxm5-80gb");
    require_exact(from_nvidia_smi("NVIDIA A100-SXM4-40GB, 40960 MiB"), "nvidia-a100-40gb-sxm4");
    require_exact(from_nvidia_smi("NVIDIA A100-SXM4-80GB, 81920 MiB"), "nvidia-a100-80gb-sxm4");
    // The L4 reports 23034 MiB of its 24 GB (ratio 0.937, inside the 0.90 floor).
    require_exact(from_nvidia_smi("NVIDIA L4, 23034 MiB"), "nvidia-l4");
    require_exact(from_nvidia_smi("Tesla T4, 15360 MiB"), "nvidia-t4");
    // github.com/Scionero/MaxContextFinder/issues/6: the name's "16GB" picks the variant.
    require_exact(from_nvidia_smi("Tesla V100-SXM2-16GB, 16384 MiB"), "nvidia-v100-sxm2-16gb");
    // H100 NVL: 99961274368 bytes = 95330 MiB (github.com/fastfetch-cli/fastfetch/issues/1658), the CSV
    // shape of github.com/akash-network/provider-configs/pull/91.
    require_exact(from_nvidia_smi("NVIDIA H100 NVL, 95330 MiB"), "nvidia-h100-nvl");
    // DGX Spark reports no memory total (github.com/unslothai/unsloth/pull/10703): the name alone decides.
    const Detection spark = from_nvidia_smi("name, memory.total [MiB]\nNVIDIA GB10, [N/A]\n");
    require_exact(spark, "nvidia-dgx-spark");
}

TEST_CASE("nvidia-smi memory picks the variant; a total that fits no size is a choice", "[detect]") {
    // The RTX 3080 comes with 10 or 12 GB and nvidia-smi names both "NVIDIA GeForce RTX 3080".
    // 10240 MiB / 10 GiB = 1.0 -> 10 GB; 12288 MiB / 10 GiB = 1.2 (over 1.05) and / 12 GiB = 1.0 -> 12 GB.
    require_exact(from_nvidia_smi("NVIDIA GeForce RTX 3080, 10240 MiB"), "nvidia-rtx-3080-10gb");
    require_exact(from_nvidia_smi("NVIDIA GeForce RTX 3080, 12288 MiB"), "nvidia-rtx-3080-12gb");
    // Just under the floor: 0.899 × 10 GiB = 9206 MiB matches neither size.
    const Detection odd = from_nvidia_smi("NVIDIA GeForce RTX 3080, 9206 MiB");
    REQUIRE(odd.confidence == DetectConfidence::family);
    CHECK(ids(odd) == std::vector<std::string>{"nvidia-rtx-3080-10gb", "nvidia-rtx-3080-12gb"});
    CHECK(odd.message ==
          "nvidia-smi reports 9.0 GiB for NVIDIA GeForce RTX 3080, which matches none of the catalog's sizes exactly; "
          "pick "
          "the closest.");
    // At the floor: 0.90 × 10 GiB = 9216 MiB matches 10 GB.
    require_exact(from_nvidia_smi("NVIDIA GeForce RTX 3080, 9216 MiB"), "nvidia-rtx-3080-10gb");
}

TEST_CASE("rocm-smi: product names, PCI ids and VRAM", "[detect]") {
    // `rocm-smi --showproductname --csv` on two MI100s (github.com/easybuilders/easybuild-framework/pull/3978).
    const std::string mi100 =
        "device,Card series,Card model,Card vendor,Card SKU\n"
        "card0,Arcturus GL-XL [AMD Instinct MI100],0x0c34,Advanced Micro Devices Inc. [AMD/ATI],D34316\n"
        "card1,Arcturus GL-XL [AMD Instinct MI100],0x0c34,Advanced Micro Devices Inc. [AMD/ATI],D34316\n";
    Observations o;
    o.rocm_smi_product = mi100;
    const Detection d = detect_hardware(o, catalog());
    require_exact(d, "amd-mi100");
    CHECK(d.gpu_count == 2);
    CHECK(d.vendor == "amd");

    // Older rocm-smi prints the pci.ids name (as lspci does for Navi 31 in
    // github.com/clbr/radeontop/pull/159); the VRAM line has the shape of
    // github.com/ROCm/legacy-rocm-build/issues/1909 with the 7900 XTX's 24560 MiB
    // (github.com/ilya-zlobintsev/LACT/pull/533): 24560 MiB = 25753026560 bytes.
    const std::string navi31 = "GPU[0]\t\t: Card series: \t\tNavi 31 [Radeon RX 7900 XT/7900 XTX]\n";
    const std::string vram =
        "GPU[0]          : VRAM Total Memory (B): 25753026560\n"
        "GPU[0]          : VRAM Total Used Memory (B): 108814336\n";
    const auto gpus = read_rocm_smi(navi31, vram);
    REQUIRE(gpus.size() == 1);
    CHECK(gpus[0].name == "Radeon RX 7900 XT/7900 XTX");
    CHECK(gpus[0].memory_bytes == 25753026560.0);
    Observations n;
    n.rocm_smi_product = navi31;
    const Detection both = detect_hardware(n, catalog());
    REQUIRE(both.confidence == DetectConfidence::family);
    CHECK(ids(both) == std::vector<std::string>{"amd-rx-7900-xt", "amd-rx-7900-xtx"});
    CHECK(both.question == "Radeon RX 7900 XT/7900 XTX — 20 or 24 GB?");
    n.rocm_smi_vram = vram;
    require_exact(detect_hardware(n, catalog()), "amd-rx-7900-xtx");

    // Newer rocm-smi may print only the PCI id (github.com/Syllo/nvtop/issues/236, a 7900 XTX).
    Observations hex;
    hex.rocm_smi_product = "GPU[0]\t\t: Card series: \t\t0x744c\nGPU[0]\t\t: Card model: \t\t0x2422\n";
    const Detection unnamed = detect_hardware(hex, catalog());
    CHECK(unnamed.confidence == DetectConfidence::unknown);
    CHECK(unnamed.vendor == "amd");
    CHECK(unnamed.candidates.empty());
    CHECK(unnamed.message == "rocm-smi does not name this AMD GPU (0x744c). Pick your GPU from the list.");
    // With its VRAM total, the AMD GPUs of that size are suggested (not claimed).
    hex.rocm_smi_vram = vram;
    const Detection suggested = detect_hardware(hex, catalog());
    CHECK(suggested.confidence == DetectConfidence::unknown);
    CHECK(ids(suggested) == std::vector<std::string>{"amd-rx-7900-xtx"});
}

TEST_CASE("sysctl on macOS: chip and memory give the exact Mac", "[detect]") {
    // `sysctl machdep.cpu` on an M1 (github.com/GuillaumeGomez/sysinfo/pull/497) and the M1 Mac mini's
    // 8589934592 bytes (github.com/trailofbits/osquery/pull/8).
    Observations m1;
    m1.sysctl = "machdep.cpu.brand_string: Apple M1\nhw.memsize: 8589934592\n";
    const Detection d = detect_hardware(m1, catalog());
    require_exact(d, "apple-m1-8gb");
    CHECK(d.platform == "mac");
    CHECK(d.system_memory_bytes == 8 * kGiB);

    // An M1 Max with 32 GB whose GPU limit was raised to 26000 MiB (github.com/AlexsJones/llmfit/issues/570;
    // brand string as in github.com/Jinjinov/Hardware.Info/issues/32).
    Observations max;
    max.sysctl = "machdep.cpu.brand_string: Apple M1 Max\nhw.memsize: 34359738368\niogpu.wired_limit_mb: 26000\n";
    const Detection m = detect_hardware(max, catalog());
    require_exact(m, "apple-m1-max-32gb");
    CHECK(m.gpu_memory_limit_bytes == 26000 * kMiB);
    const SysctlReading r = read_sysctl(max.sysctl);
    CHECK(r.cpu_brand == "Apple M1 Max");
    CHECK(r.memory_bytes == 34359738368.0);

    // The M3 Max of github.com/philipturner/applegpuinfo/issues/4: 16 cores, 64 GB.
    Observations m3;
    m3.sysctl =
        "machdep.cpu.brand_string: Apple M3 Max\nhw.memsize: 68719476736\nhw.ncpu: 16\niogpu.wired_limit_mb: 0\n";
    const Detection d3 = detect_hardware(m3, catalog());
    require_exact(d3, "apple-m3-max-40c-64gb");
    CHECK(d3.gpu_memory_limit_bytes == 0);

    // An Intel Mac (github.com/trailofbits/osquery/pull/8): no Apple GPU to map.
    Observations intel;
    intel.sysctl = "machdep.cpu.brand_string: Intel(R) Core(TM) i5-1038NG7 CPU @ 2.00GHz\nhw.memsize: 17179869184\n";
    const Detection i = detect_hardware(intel, catalog());
    CHECK(i.confidence == DetectConfidence::unknown);
    CHECK(i.platform == "mac");
    CHECK(i.message == "No GPU was found: we could not tell which GPU this machine has. Pick your GPU from the list.");
}

TEST_CASE("/proc/meminfo and dmidecode describe system memory", "[detect]") {
    // proc(5): "MemTotal: Total usable RAM", in kB (KiB). 65799484 KiB = 62.75 GiB.
    CHECK(read_meminfo_total_bytes("MemTotal:       65799484 kB\nMemFree:        1234 kB\n") == 65799484.0 * 1024);
    CHECK(read_meminfo_total_bytes("MemFree: 1 kB\n") == 0);

    // dmidecode -t 17 on a Ryzen 9 7950X (github.com/cyring/CoreFreq/issues/378): an empty slot, then a
    // DDR5 module rated 4800 MT/s and configured at 6000 MT/s (EXPO).
    const std::string dmi =
        "Handle 0x0013, DMI type 17, 92 bytes\nMemory Device\n\tArray Handle: 0x0010\n\tSize: No Module Installed\n"
        "\tLocator: DIMM 0\n\tType: Unknown\n\tSpeed: Unknown\n\tConfigured Memory Speed: Unknown\n\n"
        "Handle 0x0015, DMI type 17, 92 bytes\nMemory Device\n\tArray Handle: 0x0010\n\tSize: 16 GB\n\tLocator: DIMM "
        "1\n"
        "\tType: DDR5\n\tType Detail: Synchronous Unbuffered (Unregistered)\n\tSpeed: 4800 MT/s\n"
        "\tPart Number: F5-6000J3636F16G\n\tConfigured Memory Speed: 6000 MT/s\n";
    const MemoryModules m = read_dmidecode_memory(dmi);
    CHECK(m.count == 1);
    CHECK(m.total_bytes == 16 * kGiB);
    CHECK(m.type == "DDR5");
    CHECK(m.speed_mts == 6000);

    // No GPU, Linux: nothing to claim; the DDR5 system-memory entries are suggested. One module is a
    // desktop board (two channels), so the dual-channel rows come first, 5600 and 6400 both 400 MT/s
    // from 6000 (catalog order breaks the tie); the 8- and 12-channel server rows follow.
    Observations o;
    o.meminfo = "MemTotal:       65799484 kB\n";
    o.dmidecode_memory = dmi;
    const Detection d = detect_hardware(o, catalog());
    CHECK(d.confidence == DetectConfidence::unknown);
    CHECK(d.platform == "linux");
    CHECK(d.system_memory_bytes == 65799484.0 * 1024);
    REQUIRE(d.candidates.size() >= 3);
    CHECK(d.candidates[0].id == "cpu-ddr5-5600-2ch");
    CHECK(d.candidates[1].id == "cpu-ddr5-6400-2ch");
    CHECK(d.candidates.back().id.substr(d.candidates.back().id.size() - 4) == "12ch");
    CHECK(d.detected == "62.8 GiB of system memory; 1 memory module, 16.0 GiB DDR5 at 6000 MT/s.");
}

TEST_CASE("Observations JSON: types, unknown keys and limits are errors that name the field", "[detect]") {
    using nlohmann::json;
    const json ok = detect(
        json{{"webgl", {{"renderer", "NVIDIA GeForce RTX 3090/PCIe/SSE2"}}}, {"platform", "Linux x86_64"}}, catalog());
    REQUIRE(ok["ok"] == true);
    CHECK(ok["confidence"] == "exact");
    CHECK(ok["hardware"] == "nvidia-rtx-3090");
    CHECK(ok["candidates"][0]["label"] == "NVIDIA GeForce RTX 3090");
    CHECK(ok["evidence"][0]["source"] == "webgl");

    const json typo = detect(json{{"tools", {{"nvidia-smi", "x"}}}}, catalog());
    CHECK(typo["ok"] == false);
    CHECK(typo["error"]["code"] == "unknown_field");
    CHECK(typo["error"]["field"] == "tools.nvidia-smi");

    const json wrong = detect(json{{"hardware_concurrency", "sixteen"}}, catalog());
    CHECK(wrong["error"]["code"] == "invalid_number");
    CHECK(wrong["error"]["field"] == "hardware_concurrency");

    // Browser strings are one line: 1024 characters pass, 1025 do not.
    CHECK(detect(json{{"webgl", {{"renderer", std::string(1024, 'x')}}}}, catalog())["ok"] == true);
    const json long_one = detect(json{{"webgl", {{"renderer", std::string(1025, 'x')}}}}, catalog());
    CHECK(long_one["error"]["code"] == "out_of_range");
    CHECK(long_one["error"]["field"] == "webgl.renderer");

    CHECK(json::parse(detect_json("{not json", catalog()))["error"]["code"] == "invalid_json");
    CHECK(json::parse(detect_json("[1,2]", catalog()))["error"]["code"] == "invalid_request");
}
