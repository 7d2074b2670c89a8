using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using Microsoft.ML.Hyena.Serialization;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>
    /// The operator against fixtures computed with the reference implementation: one test case per
    /// *.safetensors file of HYENA_PARITY_DIR (default ../shared/parity). See ../shared/parity/README.md.
    /// </summary>
    public class OperatorParityTests
    {
        private const double OutputTolerance = 1e-4;
        private const double GradientTolerance = 1e-3;
        private const string NoFixtures = "(no fixtures)";

        public static IEnumerable<object[]> Fixtures()
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

        [Theory]
        [MemberData(nameof(Fixtures))]
        public void MatchesReference(string fixture)
        {
            Assert.False(fixture == NoFixtures,
                $"No *.safetensors parity fixtures in {TestPaths.ParityDirectory}; set HYENA_PARITY_DIR to a folder of fixtures.");
            using var scope = NewDisposeScope();
            using var content = Safetensors.Read(Path.Combine(TestPaths.ParityDirectory, fixture + ".safetensors"));
            var t = content.Tensors;
            var config = ConfigFrom(content.Metadata);

            using var op = new HyenaOperator(config);
            StateDict.Load(op, t, strict: true, prefix: "op.");
            op.eval();

            var input = t["input"].clone().requires_grad_(true);
            var output = op.call(input);
            TensorAssert.Close(output, t["output"], OutputTolerance, $"{fixture}: output");

            using (var noGrad = no_grad())
            {
                var filter = op.FilterFunction.call(input.size(1)).squeeze(0);
                TensorAssert.Close(filter, t["filter"], OutputTolerance, $"{fixture}: filter");
            }

            (output * t["probe"]).sum().backward();
            TensorAssert.Close(input.grad!, t["grad.input"], GradientTolerance, $"{fixture}: grad.input");

            var parameters = op.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            var expectedGradients = t.Keys.Where(k => k.StartsWith("grad.op.", StringComparison.Ordinal)).ToList();
            Assert.Equal(parameters.Count, expectedGradients.Count);
            foreach (var key in expectedGradients)
            {
                string name = key.Substring("grad.op.".Length);
                Assert.True(parameters.ContainsKey(name), $"{fixture}: the fixture has a gradient for '{name}', which is no parameter of the operator");
                TensorAssert.Close(parameters[name].grad!, t[key], GradientTolerance, $"{fixture}: {key}");
            }
        }

        internal static HyenaOperatorConfig ConfigFrom(IReadOnlyDictionary<string, string> metadata)
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
