using System;
using System.Collections.Generic;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena
{
    /// <summary>
    /// Stacks sequences into right-padded tensors on a device: token ids (batch, length) int64 or
    /// values (batch, length, channels) float32, and lengths (batch) int64. The padded length is the
    /// longest sequence of the batch, at least 1.
    /// </summary>
    internal static class SequenceBatcher
    {
        public static (Tensor Inputs, Tensor Lengths) Stack(IReadOnlyList<Sequence> rows, int channels, Device device)
        {
            int count = rows.Count;
            int length = 1;
            var lengths = new long[count];
            for (int i = 0; i < count; i++)
            {
                lengths[i] = rows[i].Length;
                length = Math.Max(length, rows[i].Length);
            }
            using var scope = NewDisposeScope();
            Tensor inputs;
            if (channels == 0)
            {
                var ids = new long[(long)count * length];
                for (int i = 0; i < count; i++)
                {
                    var tokens = rows[i].Tokens!;
                    for (int t = 0; t < tokens.Length; t++)
                        ids[(long)i * length + t] = tokens[t];
                }
                inputs = tensor(ids, new long[] { count, length });
            }
            else
            {
                var values = new float[(long)count * length * channels];
                for (int i = 0; i < count; i++)
                    Array.Copy(rows[i].Values!, 0, values, (long)i * length * channels, rows[i].Values!.Length);
                inputs = tensor(values, new long[] { count, length, channels });
            }
            var lengthTensor = tensor(lengths);
            return (scope.MoveToOuter(inputs.to(device)), scope.MoveToOuter(lengthTensor.to(device)));
        }
    }
}
