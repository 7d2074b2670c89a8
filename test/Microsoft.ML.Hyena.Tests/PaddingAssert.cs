using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>The classifier's padding contract, shared by the pooling and input-stage tests.</summary>
    internal static class PaddingAssert
    {
        /// <summary>
        /// A row of 5 tokens (ids below 20) scored alone, and padded to 12 positions with id 0 and with id 19,
        /// must give the same logits: padding never changes a row.
        /// </summary>
        public static void RowScoresAsAlone(HyenaSequenceClassifier model)
        {
            using var scope = NewDisposeScope();
            model.eval();
            var alone = model.call(tensor(new long[] { 4, 7, 1, 9, 3 }).unsqueeze(0), tensor(new long[] { 5 }));
            var padded = tensor(new long[,] { { 4, 7, 1, 9, 3, 0, 0, 0, 0, 0, 0, 0 }, { 4, 7, 1, 9, 3, 19, 19, 19, 19, 19, 19, 19 } });
            var logits = model.call(padded, tensor(new long[] { 5, 5 }));
            TensorAssert.Close(logits[0], alone[0], 1e-5, "row padded with id 0");
            TensorAssert.Close(logits[1], alone[0], 1e-5, "row padded with id 19");
        }
    }
}
