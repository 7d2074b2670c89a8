using System;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Modules
{
    /// <summary>
    /// The position-wise MLP of a block: fc2(Dropout(GELU(fc1(x)))), width D to rD and back, its parameters under
    /// PyTorch's names (<c>fc1.weight</c>, <c>fc1.bias</c>, <c>fc2.weight</c>, <c>fc2.bias</c>), applied to the last
    /// dimension of an input of any leading shape.
    /// </summary>
    /// <remarks>
    /// The products run on the input's positions as the rows of one matrix (<see cref="RowLinear"/>), so that their biases
    /// are added inside them. With <see cref="ComputeDtype"/> bfloat16 and a float32 input on CUDA, fc2 is one cuBLASLt
    /// product that accumulates in float32 and writes the output in float32 with its bias (as the operator's output
    /// projection does), so that neither a bias pass nor a widening pass follows it. There, fc1 and the GELU are one node
    /// (<see cref="Kernels.LinearGeluFunction"/>), whose backward pass computes the GELU's gradient and fc1's bias gradient
    /// in one kernel and writes the input's and the weight's gradients in their own types by the products.
    /// </remarks>
    public sealed class FeedForward : nn.Module<Tensor, Tensor>
    {
        [ComponentName(Name = "fc1")]
        private readonly Linear _fc1;

        [ComponentName(Name = "drop")]
        private readonly Dropout _drop;

        [ComponentName(Name = "fc2")]
        private readonly Linear _fc2;

        /// <summary>Creates the MLP for width <paramref name="width"/>.</summary>
        /// <param name="width">The input and output width D (at least 1).</param>
        /// <param name="ratio">The hidden width as a multiple of D (at least 1).</param>
        /// <param name="dropout">Dropout after the GELU, in [0, 1).</param>
        /// <param name="name">Module name.</param>
        public FeedForward(long width, int ratio = 4, double dropout = 0.0, string name = "mlp") : base(name)
        {
            if (width < 1)
                throw new ArgumentOutOfRangeException(nameof(width), width, "must be at least 1");
            if (ratio < 1)
                throw new ArgumentOutOfRangeException(nameof(ratio), ratio, "must be at least 1");
            if (!(dropout >= 0 && dropout < 1))
                throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "must be in [0, 1)");
            _fc1 = nn.Linear(width, width * ratio);
            _drop = nn.Dropout(dropout);
            _fc2 = nn.Linear(width * ratio, width);
            RegisterComponents();
        }

        /// <summary>The input and output width D.</summary>
        public long Width => _fc1.in_features;

        /// <summary>
        /// Mixed precision: the products and the GELU run in this type on casts of the (float32 master) weights, and the
        /// output is given back in the input's type. Null (the default) computes in the parameters' type.
        /// </summary>
        public ScalarType? ComputeDtype { get; set; }

        /// <summary>Applies the MLP to (…, D); returns the same shape, in the input's type.</summary>
        public override Tensor forward(Tensor input)
        {
            if (input is null)
                throw new ArgumentNullException(nameof(input));
            if (input.dim() < 1 || input.size(-1) != Width)
                throw new ArgumentException($"Expected an input whose last dimension is the width {Width}; got ({string.Join(", ", input.shape)}).", nameof(input));
            using var scope = NewDisposeScope();
            var shape = input.shape;
            var rows = input.reshape(-1, Width);                                  // a view for a contiguous input
            var activated = ComputeDtype == ScalarType.BFloat16 && Kernels.LinearGeluFunction.Applies(rows, _fc1.bias)
                ? Kernels.LinearGeluFunction.Apply(rows, _fc1.weight!, _fc1.bias!)                  // one node: the GELU's gradient and fc1's bias gradient in one kernel
                : nn.functional.gelu(RowLinear.Apply(_fc1, rows, ComputeDtype));
            var hidden = DropoutReplay.Apply(_drop, activated);
            var output = ComputeDtype == ScalarType.BFloat16 && input.dtype == ScalarType.Float32 && hidden.device_type == DeviceType.CUDA && _fc2.bias is not null
                ? Kernels.WideningLinearFunction.Apply(hidden, _fc2.weight!, _fc2.bias)          // float32, the bias in its epilogue
                : RowLinear.Apply(_fc2, hidden, ComputeDtype).InType(input.dtype);
            return scope.MoveToOuter(output.view(shape));                         // the input's shape: D in and out
        }
    }
}
