using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena
{
    /// <summary>
    /// The dropout masks of a block that <see cref="BlockRecomputeFunction"/> runs twice: its forward pass records each mask
    /// it draws, and the recomputation in the backward pass applies the same masks again instead of drawing new ones, so
    /// that the recomputed graph is the one the forward pass computed. The blocks call <see cref="Apply"/> for their
    /// dropouts; where no replay is current on the thread (every pass not under <see cref="BlockRecomputeFunction"/>), it
    /// is the dropout module itself.
    /// </summary>
    /// <remarks>
    /// A recorded mask is drawn as libtorch's CPU dropout draws its noise (<c>empty_like(x).bernoulli_(1 - p)</c>, the
    /// device's default generator) and applied as it applies it (x times the noise divided by 1 - p), so on the CPU a
    /// training with recomputed blocks draws and applies the same masks as one without. Masks are kept as booleans (a byte
    /// an element) until the backward pass.
    /// </remarks>
    internal sealed class DropoutReplay
    {
        [ThreadStatic]
        private static DropoutReplay? _current;

        private readonly List<Tensor> _masks;
        private readonly bool _recording;
        private int _next;

        private DropoutReplay(List<Tensor> masks, bool recording)
        {
            _masks = masks;
            _recording = recording;
        }

        /// <summary>A replay that records the masks it draws (<see cref="Masks"/>; the caller disposes them).</summary>
        public static DropoutReplay Record() => new(new List<Tensor>(), recording: true);

        /// <summary>A replay that applies <paramref name="masks"/> in order, as <see cref="Record"/> drew them.</summary>
        public static DropoutReplay Replay(IEnumerable<Tensor> masks) => new(masks.ToList(), recording: false);

        /// <summary>The recorded masks, in the order the dropouts ran (booleans, true where an element is kept).</summary>
        public IReadOnlyList<Tensor> Masks => _masks;

        /// <summary>
        /// Runs <paramref name="body"/> with this replay current on this thread. A replaying one throws
        /// <see cref="InvalidOperationException"/> after it when the body applied fewer dropouts than it holds masks.
        /// </summary>
        public T Run<T>(Func<T> body)
        {
            var previous = _current;
            _current = this;
            T result;
            try
            {
                result = body();
            }
            finally
            {
                _current = previous;
            }
            if (!_recording && _next != _masks.Count)
                throw new InvalidOperationException($"The recomputed block applied {_next} dropouts where its forward pass applied {_masks.Count}.");
            return result;
        }

        /// <summary>
        /// <paramref name="dropout"/> applied to <paramref name="x"/>: the module itself where no replay is current (or it
        /// is in evaluation mode, or its probability is 0); else x times a recorded or replayed mask divided by 1 - p.
        /// </summary>
        public static Tensor Apply(Dropout dropout, Tensor x)
        {
            var replay = _current;
            return replay is null || !dropout.training || dropout.p == 0 ? dropout.call(x) : replay.Next(x, dropout.p);
        }

        private Tensor Next(Tensor x, double p)
        {
            using var scope = NewDisposeScope();
            Tensor noise;
            if (_recording)
            {
                noise = empty_like(x).bernoulli_(1 - p);
                var mask = noise.ne(0);
                mask.DetachFromDisposeScope();
                _masks.Add(mask);
            }
            else
            {
                if (_next >= _masks.Count)
                    throw new InvalidOperationException($"The recomputed block applied more dropouts than the {_masks.Count} its forward pass applied.");
                var mask = _masks[_next++];
                if (!mask.shape.SequenceEqual(x.shape))
                    throw new InvalidOperationException(
                        $"The recomputed block's dropout {_next} has shape ({string.Join(", ", x.shape)}) where its forward pass had ({string.Join(", ", mask.shape)}).");
                noise = mask.to_type(x.dtype);
            }
            return scope.MoveToOuter(x * noise.div_(1 - p));
        }
    }
}
