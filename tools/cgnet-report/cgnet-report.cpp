//===- cgnet-report.cpp - one per-layer table from the pipeline's reports -===//
//
// Joins the per-layer reports the other tools write for one model into one
// table and one JSON document:
//   --flops   the FLOP report of --cgnet-flop-report (MACs, gate-on rates,
//             FLOP reduction),
//   --cpu     cgnet-run --profile --profile-report (CPU time per layer),
//   --accel   cgnet-sim --report (accelerator cycles per layer),
// and, for speedups, the same CPU and accelerator reports of the network
// with every gate on (--cpu-baseline, --accel-baseline).
//
// Layers are matched by their key (`layerName`: the op and its source
// line:col, or the name of a named location). A baseline layer also matches
// the layer at the same position and location when only the op differs
// (--cgnet-ungate turns channel_gated_conv2d into conv2d in place). Rows follow
// the most detailed report given (CPU, else accelerator, else FLOP report); a
// layer of another report that is not among them is an error, as is a baseline
// that lacks one of the model's layers, since then the reports are not of
// the same model. An accelerator layer "A + B" (a pool run in the tiles of
// the convolution before it) is layer A's row; B's row has no cycles.
//
//===----------------------------------------------------------------------===//

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"
#include <optional>

using namespace llvm;

namespace {
cl::OptionCategory category("cgnet-report options");
cl::opt<std::string> flopsFile("flops",
                               cl::desc("FLOP report (--cgnet-flop-report)"),
                               cl::value_desc("json"), cl::cat(category));
cl::opt<std::string> cpuFile("cpu",
                             cl::desc("CPU layer times (cgnet-run --profile "
                                      "--profile-report)"),
                             cl::value_desc("json"), cl::cat(category));
cl::opt<std::string>
    cpuBaselineFile("cpu-baseline",
                    cl::desc("CPU layer times of the baseline network (e.g. "
                             "the model after --cgnet-ungate)"),
                    cl::value_desc("json"), cl::cat(category));
cl::opt<std::string> accelFile("accel",
                               cl::desc("Accelerator report (cgnet-sim "
                                        "--report)"),
                               cl::value_desc("json"), cl::cat(category));
cl::opt<std::string>
    accelBaselineFile("accel-baseline",
                      cl::desc("Accelerator report of the baseline network"),
                      cl::value_desc("json"), cl::cat(category));
cl::opt<std::string> jsonFile("json", cl::desc("Write the joined report as "
                                               "JSON to <file>"),
                              cl::value_desc("file"), cl::cat(category));
cl::opt<std::string> tableFile("table",
                               cl::desc("Write the table to <file> ('-': "
                                        "stdout, the default)"),
                               cl::value_desc("file"), cl::init("-"),
                               cl::cat(category));

int fail(const Twine &msg) {
  errs() << "cgnet-report: error: " << msg << "\n";
  return 1;
}

/// One report's layers: key -> the layer's JSON object, in file order.
struct Report {
  std::string path;
  std::vector<std::string> order;
  StringMap<json::Object> layers;
  json::Object top;

  const json::Object *find(StringRef key) const {
    auto it = layers.find(key);
    return it == layers.end() ? nullptr : &it->second;
  }
};

/// Reads `path`, whose "layers" array names each layer in `keyField`.
Expected<Report> readReport(StringRef path, StringRef keyField) {
  auto buffer = MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer)
    return createStringError(buffer.getError(),
                             path + ": " + buffer.getError().message());
  Expected<json::Value> doc = json::parse((*buffer)->getBuffer());
  if (!doc)
    return createStringError(inconvertibleErrorCode(),
                             path + ": not JSON: " +
                                 toString(doc.takeError()));
  Report r;
  r.path = path.str();
  json::Object *top = doc->getAsObject();
  json::Array *layers = top ? top->getArray("layers") : nullptr;
  if (!layers)
    return createStringError(inconvertibleErrorCode(),
                             path + ": no \"layers\" array; not a per-layer "
                                    "report");
  for (auto [i, value] : enumerate(*layers)) {
    json::Object *layer = value.getAsObject();
    std::optional<StringRef> key =
        layer ? layer->getString(keyField) : std::nullopt;
    if (!key)
      return createStringError(inconvertibleErrorCode(),
                               formatv("{0}: layers[{1}] has no \"{2}\"",
                                       path, i, keyField));
    // "A + B": layer B runs in layer A's tiles (the accelerator's fused
    // pools); the row is A's.
    key = key->split(" + ").first;
    if (r.layers.contains(*key))
      return createStringError(inconvertibleErrorCode(),
                               formatv("{0}: layer '{1}' appears twice", path,
                                       *key));
    r.order.push_back(key->str());
    r.layers[*key] = std::move(*layer);
  }
  layers->clear();
  r.top = std::move(*top);
  return r;
}

/// "op@line:col" -> "line:col"; other keys are their own location.
StringRef locationOf(StringRef key) {
  size_t at = key.rfind('@');
  return at == StringRef::npos ? key : key.drop_front(at + 1);
}

/// The baseline's layer for the `index`-th layer `key` of its report: the
/// same key, else the baseline's `index`-th layer if it is at the same
/// location (the same layer with another op, as --cgnet-ungate leaves it).
const json::Object *findBaseline(const Report &base, StringRef key,
                                 size_t index) {
  if (const json::Object *layer = base.find(key))
    return layer;
  if (index < base.order.size() &&
      locationOf(base.order[index]) == locationOf(key))
    return base.find(base.order[index]);
  return nullptr;
}

double number(const json::Object *layer, StringRef field) {
  if (!layer)
    return 0;
  return layer->getNumber(field).value_or(0);
}

/// One row of the joined table; absent values are unset.
struct Row {
  std::string layer, op;
  std::optional<double> denseMacs, effectiveMacs, gateOn, reduction;
  std::optional<double> cpuSeconds, cpuBaseSeconds;
  std::optional<double> cycles, baseCycles, accelMacs;
};

std::optional<double> get(const json::Object *layer, StringRef field) {
  if (!layer)
    return std::nullopt;
  return layer->getNumber(field);
}

json::Value jsonOf(std::optional<double> v) {
  return v ? json::Value(*v) : json::Value(nullptr);
}

std::optional<double> ratio(std::optional<double> base,
                            std::optional<double> v) {
  if (!base || !v || *v <= 0)
    return std::nullopt;
  return *base / *v;
}

std::string cell(std::optional<double> v, const char *fmt) {
  return v ? formatv(fmt, *v).str() : std::string("-");
}

} // namespace

int main(int argc, char **argv) {
  InitLLVM y(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "cgnet-report: joins the FLOP report, the CPU layer times and the "
      "accelerator report of one model (and of its baseline) into one "
      "per-layer table and JSON report (docs/user-guide.md)\n");

  if (!cpuBaselineFile.empty() && cpuFile.empty())
    return fail("--cpu-baseline needs --cpu (the times it is compared with)");
  if (!accelBaselineFile.empty() && accelFile.empty())
    return fail("--accel-baseline needs --accel (the cycles it is compared "
                "with)");
  std::optional<Report> flops, cpu, cpuBase, accel, accelBase;
  auto load = [&](const std::string &path, StringRef key,
                  std::optional<Report> &into) -> bool {
    if (path.empty())
      return true;
    auto r = readReport(path, key);
    if (!r) {
      fail(toString(r.takeError()));
      return false;
    }
    into = std::move(*r);
    return true;
  };
  if (!load(flopsFile, "layer", flops) || !load(cpuFile, "layer", cpu) ||
      !load(cpuBaselineFile, "layer", cpuBase) ||
      !load(accelFile, "name", accel) ||
      !load(accelBaselineFile, "name", accelBase))
    return 1;
  const Report *rows = cpu ? &*cpu : accel ? &*accel : flops ? &*flops
                                                             : nullptr;
  if (!rows)
    return fail("no report given (--flops, --cpu, --accel)");

  // Every other report's layers must be among the rows' layers.
  for (const std::optional<Report> *other : {&flops, &accel})
    if (*other && &**other != rows)
      for (const std::string &key : (*other)->order)
        if (!rows->find(key))
          return fail(formatv("{0}: layer '{1}' is not a layer of {2}; the "
                              "reports are not of the same model",
                              (*other)->path, key, rows->path));

  auto indexIn = [](const Report &r, StringRef key) {
    return static_cast<size_t>(find(r.order, key) - r.order.begin());
  };
  std::vector<Row> table;
  for (const std::string &key : rows->order) {
    Row row;
    row.layer = key;
    const json::Object *layer = rows->find(key);
    if (std::optional<StringRef> op = layer->getString("op"))
      row.op = op->str();
    if (flops)
      if (const json::Object *f = flops->find(key)) {
        row.denseMacs = get(f, "dense_macs");
        row.effectiveMacs = get(f, "effective_macs");
        row.gateOn = get(f, "gate_on_rate");
        row.reduction = get(f, "flop_reduction");
      }
    if (cpu) {
      row.cpuSeconds = get(cpu->find(key), "seconds");
      if (cpuBase) {
        const json::Object *b = findBaseline(*cpuBase, key, indexIn(*cpu, key));
        if (!b)
          return fail(formatv("{0}: no layer matches '{1}' of {2}",
                              cpuBase->path, key, cpu->path));
        row.cpuBaseSeconds = get(b, "seconds");
      }
    }
    if (accel)
      if (const json::Object *a = accel->find(key)) {
        row.cycles = get(a, "cycles");
        row.accelMacs = get(a, "macs");
        if (accelBase) {
          const json::Object *b = findBaseline(*accelBase, key, indexIn(*accel, key));
          if (!b)
            return fail(formatv("{0}: no layer matches '{1}' of {2}",
                                accelBase->path, key, accel->path));
          row.baseCycles = get(b, "cycles");
        }
      }
    table.push_back(std::move(row));
  }

  // Totals: each column's sum over the layers that have it; whole-network
  // figures of the accelerator (its reports' "cycles", which include the
  // instructions outside any layer) are kept apart in the JSON.
  Row total;
  total.layer = "total";
  auto add = [](std::optional<double> &sum, std::optional<double> v) {
    if (v)
      sum = sum.value_or(0) + *v;
  };
  for (const Row &r : table) {
    add(total.denseMacs, r.denseMacs);
    add(total.effectiveMacs, r.effectiveMacs);
    add(total.cpuSeconds, r.cpuSeconds);
    add(total.cpuBaseSeconds, r.cpuBaseSeconds);
    add(total.cycles, r.cycles);
    add(total.baseCycles, r.baseCycles);
    add(total.accelMacs, r.accelMacs);
  }
  total.reduction = ratio(total.denseMacs, total.effectiveMacs);
  if (flops)
    if (const json::Object *t = flops->top.getObject("total"))
      total.gateOn = t->getNumber("aggregate_gate_on_rate");

  if (!tableFile.empty()) {
    std::error_code ec;
    ToolOutputFile out(tableFile, ec, sys::fs::OF_Text);
    if (ec)
      return fail("cannot write '" + tableFile + "': " + ec.message());
    size_t width = 5;
    for (const Row &r : table)
      width = std::max(width, r.layer.size());
    raw_ostream &os = out.os();
    os << left_justify("layer", width)
       << formatv(" {0,12} {1,12} {2,7} {3,9} {4,10} {5,10} {6,7} {7,10} "
                  "{8,10} {9,7}\n",
                  "dense MACs", "eff. MACs", "gate on", "FLOP red.", "CPU us",
                  "base us", "speedup", "cycles", "base cyc.", "speedup");
    for (const Row &r : llvm::concat<const Row>(table, ArrayRef(total))) {
      auto us = [](std::optional<double> s) {
        return s ? std::optional<double>(*s * 1e6) : std::nullopt;
      };
      auto pct = [](std::optional<double> g) {
        return g ? std::optional<double>(*g * 100) : std::nullopt;
      };
      os << left_justify(r.layer, width)
         << formatv(" {0,12} {1,12} {2,7} {3,9} {4,10} {5,10} {6,7} {7,10} "
                    "{8,10} {9,7}\n",
                    cell(r.denseMacs, "{0:F0}"), cell(r.effectiveMacs, "{0:F0}"),
                    cell(pct(r.gateOn), "{0:F1}%"),
                    cell(r.reduction, "{0:F2}x"),
                    cell(us(r.cpuSeconds), "{0:F1}"),
                    cell(us(r.cpuBaseSeconds), "{0:F1}"),
                    cell(ratio(r.cpuBaseSeconds, r.cpuSeconds), "{0:F2}"),
                    cell(r.cycles, "{0:F0}"), cell(r.baseCycles, "{0:F0}"),
                    cell(ratio(r.baseCycles, r.cycles), "{0:F2}"));
    }
    if (accel)
      os << "accelerator rows include the operations fused into the layer "
            "(requantize, relu, a pool after a convolution); whole program: "
         << formatv("{0:F0}", number(&accel->top, "cycles")) << " cycles"
         << (accelBase ? formatv(" vs {0:F0} baseline",
                                 number(&accelBase->top, "cycles"))
                             .str()
                       : std::string())
         << "\n";
    out.keep();
  }

  if (!jsonFile.empty()) {
    json::Array layers;
    auto rowJson = [&](const Row &r) {
      json::Object o{{"layer", r.layer},
                     {"dense_macs", jsonOf(r.denseMacs)},
                     {"effective_macs", jsonOf(r.effectiveMacs)},
                     {"gate_on_rate", jsonOf(r.gateOn)},
                     {"flop_reduction", jsonOf(r.reduction)},
                     {"cpu_seconds", jsonOf(r.cpuSeconds)},
                     {"cpu_baseline_seconds", jsonOf(r.cpuBaseSeconds)},
                     {"cpu_speedup", jsonOf(ratio(r.cpuBaseSeconds,
                                                  r.cpuSeconds))},
                     {"accel_cycles", jsonOf(r.cycles)},
                     {"accel_baseline_cycles", jsonOf(r.baseCycles)},
                     {"accel_speedup", jsonOf(ratio(r.baseCycles, r.cycles))},
                     {"accel_macs", jsonOf(r.accelMacs)}};
      if (!r.op.empty())
        o["op"] = r.op;
      return o;
    };
    for (const Row &r : table)
      layers.push_back(rowJson(r));
    json::Object sources;
    for (auto [name, report] :
         {std::pair<const char *, std::optional<Report> *>{"flops", &flops},
          {"cpu", &cpu},
          {"cpu_baseline", &cpuBase},
          {"accel", &accel},
          {"accel_baseline", &accelBase}})
      if (*report)
        sources[name] = (*report)->path;
    json::Object doc{{"sources", std::move(sources)},
                     {"layers", std::move(layers)},
                     {"total", rowJson(total)}};
    if (accel)
      doc["accel_program_cycles"] = number(&accel->top, "cycles");
    if (accelBase)
      doc["accel_baseline_program_cycles"] = number(&accelBase->top, "cycles");
    std::error_code ec;
    ToolOutputFile out(jsonFile, ec, sys::fs::OF_Text);
    if (ec)
      return fail("cannot write '" + jsonFile + "': " + ec.message());
    out.os() << formatv("{0:2}", json::Value(std::move(doc))) << "\n";
    out.keep();
  }
  return 0;
}
