using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Microsoft.ML.Hyena.Serialization;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>
    /// The fixtures computed with the reference implementation (*.safetensors files of
    /// HYENA_PARITY_DIR, default ../shared/parity; format in ../shared/parity/README.md), and the
    /// check of an operator against one of them.
    /// </summary>
    internal static class ReferenceFixtures
    {
        public const double OutputTolerance = 1e-4;
        public const double GradientTolerance = 1e-3;

        /// <summary>The case name given when the folder has no fixture: a test with it fails.</summary>
        public const string NoFixtures = "(no fixtures)";

        /// <summary>One row per fixture file (its name without extension), or one <see cref="NoFixtures"/> row.</summary>
        public static IEnumerable<object[]> Names()
        {
            string dir = TestPaths.ParityDirectory;
            var files = Directory.Exists(dir)
                ? Directory.GetFiles(dir, "*.safetensors").OrderBy(f => f, StringComparer.Ordinal).ToArray()
                : Array.Empty<string>();
            if (files.Length == 0)
            {
                // A missing or empty folder must fail, not pass silently with zero cases.
                yield return new object[] { NoFixtures };
                yield break;
            }
            foreach (var file in files)
                yield return new object[] { Path.GetFileNameWithoutExtension(file) };
        }

        /// <summary>Reads a fixture; fails clearly when there is none.</summary>
        public static Safetensors.Content Read(string fixture)
        {
            Assert.False(fixture == NoFixtures,
                $"No *.safetensors parity fixtures in {TestPaths.ParityDirectory}; set HYENA_PARITY_DIR to a folder of fixtures.");
            return Safetensors.Read(Path.Combine(TestPaths.ParityDirectory, fixture + ".safetensors"));
        }

        /// <summary>An operator built from the fixture's metadata with its weights loaded strictly, in eval mode.</summary>
        public static HyenaOperator Operator(Safetensors.Content content)
        {
            var op = new HyenaOperator(ConfigFrom(content.Metadata));
            StateDict.Load(op, content.Tensors, strict: true, prefix: "op.");
            op.eval();
            return op;
        }

        /// <summary>
        /// The operator's output, filter, input gradient and every parameter gradient of sum(output * probe)
        /// against the fixture, within 1e-4 (outputs) and 1e-3 (gradients) relative L2 error.
        /// </summary>
        public static void Check(string fixture, Action<HyenaOperator> configure, string label)
        {
            using var scope = NewDisposeScope();
            using var content = Read(fixture);
            var t = content.Tensors;
            using var op = Operator(content);
            configure(op);
            string what = $"{fixture}{label}";

            var input = t["input"].clone().requires_grad_(true);
            var output = op.call(input);
            TensorAssert.Close(output, t["output"], OutputTolerance, $"{what}: output");

            using (var noGrad = no_grad())
            {
                var filter = op.FilterFunction.call(input.size(1)).squeeze(0);
                TensorAssert.Close(filter, t["filter"], OutputTolerance, $"{what}: filter");
            }

            (output * t["probe"]).sum().backward();
            TensorAssert.Close(input.grad!, t["grad.input"], GradientTolerance, $"{what}: grad.input");

            var parameters = op.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            var expectedGradients = t.Keys.Where(k => k.StartsWith("grad.op.", StringComparison.Ordinal)).ToList();
            Assert.Equal(parameters.Count, expectedGradients.Count);
            foreach (var key in expectedGradients)
            {
                string name = key.Substring("grad.op.".Length);
                Assert.True(parameters.ContainsKey(name), $"{what}: the fixture has a gradient for '{name}', which is no parameter of the operator");
                TensorAssert.Close(parameters[name].grad!, t[key], GradientTolerance, $"{what}: {key}");
            }
        }

        /// <summary>The operator configuration in a fixture's metadata (constructor arguments as JSON literals).</summary>
        public static HyenaOperatorConfig ConfigFrom(IReadOnlyDictionary<string, string> metadata)
        {
            JsonElement Get(string key)
            {
                Assert.True(metadata.ContainsKey(key), $"fixture metadata lacks '{key}'");
                return JsonDocument.Parse(metadata[key]).RootElement;
            }
            return new HyenaOperatorConfig
            {
                ModelDimension = Get("d_model").GetInt32(),
                MaxLength = Get("l_max").GetInt32(),
                Order = Get("order").GetInt32(),
                FilterOrder = Get("filter_order").GetInt32(),
                EmbeddingDimension = Get("emb_dim").GetInt32(),
                InnerMlpCount = Get("num_inner_mlps").GetInt32(),
                Frequency = Get("w").GetDouble(),
                Modulate = Get("modulate").GetBoolean(),
                Shift = Get("shift").GetDouble(),
                ShortFilterOrder = Get("short_filter_order").GetInt32(),
            };
        }
    }
}
