using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena
{
    /// <summary>
    /// TorchSharp's <c>to_type</c> and <c>contiguous</c> return a new wrapper even when nothing changes, and each costs the
    /// host a library call (about 10 us on an H200's host, which is what bounds the operator's pass below 16k). These return
    /// the tensor itself then.
    /// </summary>
    internal static class TensorShortcuts
    {
        /// <summary><paramref name="t"/> where it already is of <paramref name="type"/>, else <c>t.to_type(type)</c>.</summary>
        public static Tensor InType(this Tensor t, ScalarType type) => t.dtype == type ? t : t.to_type(type);

        /// <summary><paramref name="t"/> where it is already contiguous, else <c>t.contiguous()</c>.</summary>
        public static Tensor AsContiguous(this Tensor t) => t.is_contiguous() ? t : t.contiguous();
    }
}
