// replay_main.cpp - runs a harness's LLVMFuzzerTestOneInput once on each
// input file, for builds without libFuzzer (the project's own compiler,
// ctest). Arguments: files, or directories whose files are all run (sorted,
// recursively, dot files skipped). A broken property aborts, as under
// libFuzzer; the exit status is 0 only when at least one input ran.
#include "fuzz_check.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

namespace fs = std::filesystem;

int main(int argc, char** argv)
{
    std::vector<fs::path> inputs;
    for (int i = 1; i < argc; ++i) {
        fs::path p(argv[i]);
        if (fs::is_directory(p)) {
            std::vector<fs::path> found;
            for (const auto& e : fs::recursive_directory_iterator(p))
                if (e.is_regular_file() && e.path().filename().string().front() != '.') found.push_back(e.path());
            std::sort(found.begin(), found.end());
            inputs.insert(inputs.end(), found.begin(), found.end());
        } else if (fs::exists(p)) {
            inputs.push_back(p);
        } else {
            std::fprintf(stderr, "%s: no such file or directory\n", argv[i]);
            return 2;
        }
    }
    for (const fs::path& p : inputs) {
        std::ifstream f(p, std::ios::binary);
        std::vector<char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
        std::fprintf(stderr, "Running: %s\n", p.c_str());
        bytes.reserve(1);  // never a null pointer, even for an empty input (as under libFuzzer)
        LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    }
    std::printf("%s: %zu input(s) ran, every property held\n", argv[0], inputs.size());
    return inputs.empty() ? 1 : 0;
}
