//===- DriverInfo.cpp - The info subcommand -------------------------------===//
//
// Everything the ModelDesc knows, as tables: the model, its inputs and
// outputs, one row per layer, parameter and FLOP totals, and the memory
// planner's result per device against giving every tensor its own buffer.
//
//===----------------------------------------------------------------------===//

#include "Driver/Driver.h"

#include "Driver/DriverArgs.h"

#include <algorithm>
#include <cstdio>

namespace alexnet::runtime {

namespace {

/// Prints `rows` as columns two spaces apart; columns in `rightAligned`
/// (numbers) are right-aligned. The first row is the header.
void printTable(std::ostream &out,
                const std::vector<std::vector<std::string>> &rows,
                const std::vector<bool> &rightAligned) {
  std::vector<size_t> widths(rightAligned.size(), 0);
  for (const auto &row : rows)
    for (size_t c = 0; c < row.size(); ++c)
      widths[c] = std::max(widths[c], row[c].size());
  for (const auto &row : rows) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      std::string pad(widths[c] - row[c].size(), ' ');
      line += (c ? "  " : "") + (rightAligned[c] ? pad + row[c] : row[c] + pad);
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out << "  " << line << "\n";
  }
}

/// "13.5 GFLOP": three significant digits, a decimal prefix and `unit`.
std::string withPrefix(double value, const char *unit) {
  const char *prefixes[] = {"", "k", "M", "G", "T", "P"};
  int i = 0;
  while (value >= 1000 && i < 5) {
    value /= 1000;
    ++i;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), i ? "%.3g %s%s" : "%.0f %s%s", value,
                prefixes[i], unit);
  return buf;
}

std::string mebibytes(int64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f MiB", double(bytes) / (1 << 20));
  return buf;
}

const char *typeName(ElementType type) {
  return type == ElementType::F32 ? "f32" : "i32";
}

} // namespace

int runInfoCommand(const Invocation &inv) {
  auto args = ParsedArgs::parse(inv.args, {});
  if (!args.ok())
    return inv.usageError(args.message());
  const ModelDesc &m = inv.model;
  std::ostream &out = inv.out;

  out << "model:   " << m.name << "\n"
      << "target:  " << m.target << "\n"
      << "batch:   " << m.batch << "\n"
      << "devices: " << m.numDevices << "\n"
      << "graph:   " << m.graphHash << "\n";
  std::vector<std::vector<std::string>> io = {{"", "name", "type", "shape"}};
  for (int32_t i = 0; i < m.numInputs; ++i)
    io.push_back({"input", m.inputs[i].name, typeName(m.inputs[i].type),
                  formatDims(m.inputs[i].shape, m.inputs[i].rank)});
  for (int32_t i = 0; i < m.numOutputs; ++i)
    io.push_back({"output", m.outputs[i].name, typeName(m.outputs[i].type),
                  formatDims(m.outputs[i].shape, m.outputs[i].rank)});
  out << "\n";
  printTable(out, io, {false, false, false, false});

  // A partitioned model has a row per device a layer runs on, and the ops
  // that gather, scatter and exchange halos between them.
  bool partitioned = m.numDevices > 1;
  std::vector<std::vector<std::string>> layers = {
      {"layer", "op", "output", "parameters", "FLOPs", "traffic", "fused", ""}};
  if (partitioned)
    layers[0].insert(layers[0].begin(), "device");
  int64_t totalFlops = 0, totalTraffic = 0, totalFused = 0;
  for (int32_t i = 0; i < m.numLayers; ++i) {
    const LayerSpec &l = m.layers[i];
    layers.push_back({l.name, l.op, formatDims(l.shape, l.rank),
                      l.parameters ? withThousands(l.parameters) : "-",
                      l.flops ? withPrefix(double(l.flops), "FLOP") : "-",
                      l.traffic ? withPrefix(double(l.traffic), "B") : "-",
                      // 0 for a layer another absorbed (and for views).
                      l.fusedTraffic ? withPrefix(double(l.fusedTraffic), "B")
                                     : "-",
                      l.fusion ? l.fusion : ""});
    if (partitioned)
      layers.back().insert(layers.back().begin(),
                           l.device >= 0 ? std::to_string(l.device) : "-");
    totalFlops += l.flops;
    totalTraffic += l.traffic;
    totalFused += l.fusedTraffic;
  }
  out << "\n";
  std::vector<bool> numeric = {false, false, false, true, true, true, true, false};
  if (partitioned)
    numeric.insert(numeric.begin(), true);
  printTable(out, layers, numeric);

  int64_t totalParams = 0;
  for (int32_t i = 0; i < m.numParams; ++i)
    totalParams += m.params[i].size;
  out << "\ntotal parameters: " << withThousands(totalParams) << " in "
      << m.numParams << " tensors (" << mebibytes(4 * totalParams)
      << " as float32)\n"
      << "forward FLOPs per batch: " << withPrefix(double(totalFlops), "FLOP")
      << " ("
      << withPrefix(double(totalFlops) / double(std::max<int64_t>(1, m.batch)),
                    "FLOP")
      << " per image)\n";
  if (totalTraffic) {
    int64_t images = std::max<int64_t>(1, m.batch);
    out << "activation traffic per image (forward): "
        << withThousands(totalTraffic / images) << " bytes unfused, "
        << withThousands(totalFused / images) << " bytes as compiled\n";
  }

  if (partitioned) {
    // Each device's shards: its parameters, their gradients and momentum.
    std::vector<int64_t> owned(m.numDevices, 0);
    for (int32_t i = 0; i < m.numShards; ++i)
      owned[m.shards[i].device] += m.shards[i].size;
    std::vector<std::vector<std::string>> rows = {
        {"device", "parameters", "", "share"}};
    for (int32_t d = 0; d < m.numDevices; ++d) {
      char share[32];
      std::snprintf(share, sizeof(share), "%.1f%%",
                    totalParams ? 100.0 * double(owned[d]) / double(totalParams)
                                : 0.0);
      rows.push_back({std::to_string(d), withThousands(owned[d]),
                      mebibytes(4 * owned[d]), share});
    }
    out << "\nparameters per device (each keeps its shards' gradients and "
           "momentum too):\n";
    printTable(out, rows, {false, true, true, true});
  }

  // One table per entry point: inference, and the training ones when
  // compiled.
  auto printMemory = [&](const char *entry, const DeviceMemory *devices) {
    std::vector<std::vector<std::string>> memory = {
        {"device", "planned bytes", "", "naive bytes", "", "saving"}};
    if (partitioned)
      memory[0].push_back("received per run");
    for (int32_t d = 0; d < m.numDevices; ++d) {
      const DeviceMemory &mem = devices[d];
      char saving[32] = "-";
      if (mem.naiveBytes > 0)
        std::snprintf(saving, sizeof(saving), "%.1f%%",
                      100.0 * double(mem.naiveBytes - mem.arenaBytes) /
                          double(mem.naiveBytes));
      memory.push_back({std::to_string(d), withThousands(mem.arenaBytes),
                        mebibytes(mem.arenaBytes), withThousands(mem.naiveBytes),
                        mebibytes(mem.naiveBytes), saving});
      if (partitioned)
        memory.back().push_back(withThousands(mem.receivedBytes) + " B");
    }
    out << "\n" << entry
        << " arena per device (planned: liveness-based packing; "
           "naive: every tensor its own buffer"
        << (partitioned ? "; received: bytes copied in from other devices"
                        : "")
        << "):\n";
    std::vector<bool> right = {false, true, true, true, true, true};
    if (partitioned)
      right.push_back(true);
    printTable(out, memory, right);
  };
  printMemory("inference", m.inferenceMemory);
  if (m.gradients)
    printMemory("gradients", m.gradients->memory);
  if (m.trainStep) {
    printMemory("train_step", m.trainStep->memory);
    out << "optimizer state: " << mebibytes(4 * m.paramFloats)
        << " of momentum, laid out like the parameters\n";
  }
  return 0;
}

} // namespace alexnet::runtime
