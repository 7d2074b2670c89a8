using System;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>Tensor comparisons that fail with the size of the error.</summary>
    internal static class TensorAssert
    {
        /// <summary>||actual - expected|| / ||expected|| in float64.</summary>
        public static double RelativeError(Tensor actual, Tensor expected)
        {
            using var scope = NewDisposeScope();
            var a = actual.detach().cpu().to_type(ScalarType.Float64);
            var e = expected.detach().cpu().to_type(ScalarType.Float64);
            Assert.Equal(e.shape, a.shape);
            double norm = e.norm().item<double>();
            double diff = (a - e).norm().item<double>();
            return norm == 0 ? diff : diff / norm;
        }

        public static void Close(Tensor actual, Tensor expected, double relativeTolerance, string what)
        {
            double error = RelativeError(actual, expected);
            Assert.True(error <= relativeTolerance, $"{what}: relative L2 error {error:E3} exceeds {relativeTolerance:E1}");
        }
    }
}
