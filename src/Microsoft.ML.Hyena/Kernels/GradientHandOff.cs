using System;
using System.Collections.Generic;
using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Kernels
{
    /// <summary>
    /// What the hand-written backward passes of <see cref="ShortConvolutionFunction"/> and
    /// <see cref="LongConvolutionFunction"/> share: the gradient wrappers they hand to libtorch must outlive
    /// the return of <c>backward</c> (libtorch copies them right after), so each thread keeps its last ones
    /// and releases them on its next call; and an exception must not cross back into libtorch's autograd
    /// engine, which would abort the process: a failure (for example running out of device memory) is kept,
    /// the gradients of that node are left undefined, and the failure is thrown by
    /// <see cref="ThrowIfFailed"/> (which the trainers call after every backward pass) or by the next forward pass
    /// on that device.
    /// </summary>
    internal static class GradientHandOff
    {
        /// <summary>
        /// When set, every hand-written backward pass records its name and its host time (Stopwatch ticks at entry and at
        /// return) in <see cref="TracedBackwards"/>: what the benchmarks' <c>host-overhead --trace-reps</c> reads to say where
        /// the host's time in a backward pass goes. Off by default (one field read a node then).
        /// </summary>
        internal static volatile bool TraceBackwards;

        /// <summary>The backward passes recorded while <see cref="TraceBackwards"/> was set, in the order they ran (lock it to read or clear).</summary>
        internal static readonly List<(string Name, long Start, long End)> TracedBackwards = new();

        [ThreadStatic]
        private static List<Tensor>? _handedOut;

        // Failures by device (CUDA index, -1 for the CPU): trainings on different GPUs of one process (sweep
        // trials, one per GPU) each see only their own.
        private static readonly object _gate = new();
        private static readonly Dictionary<int, Exception> _failures = new();

        private static int Key(Device device) => device.type == DeviceType.CUDA ? Math.Max(0, device.index) : -1;

        /// <summary>
        /// Throws <see cref="InvalidOperationException"/> (the failure as its inner exception) when a hand-written
        /// backward pass on <paramref name="device"/> (any device when null) failed since the last call, and forgets it.
        /// </summary>
        public static void ThrowIfFailed(Device? device)
        {
            Exception? failure = null;
            lock (_gate)
            {
                foreach (var (key, e) in _failures)
                {
                    if (device is null || key == Key(device))
                    {
                        failure = e;
                        _failures.Remove(key);
                        break;
                    }
                }
            }
            if (failure is not null)
                throw new InvalidOperationException("A backward pass of the Hyena operator's fused kernels failed, so the gradients of that pass are incomplete: " + failure.Message, failure);
        }

        /// <summary>
        /// Call first in the forward pass of every node whose backward pass goes through <see cref="Backward(string, int,
        /// List{Tensor}, Func{List{Tensor}}, Func{List{Tensor}}?)"/>: TorchSharp then hands that pass an undefined incoming
        /// gradient as it is (a node after this one failed, or left an output unused), and <see cref="Backward(string, int,
        /// List{Tensor}, Func{List{Tensor}}, Func{List{Tensor}}?)"/> answers undefined gradients for the inputs without
        /// running the node's pass. Otherwise TorchSharp 0.107 makes zeros for it from a copy of the output made in the
        /// forward pass, which the caller's dispose scope has freed by then, and the process ends.
        /// </summary>
        public static void TakeUndefinedGradients(autograd.AutogradContext ctx) => ctx.set_materialize_grads(false);

        /// <summary>Whether <paramref name="gradient"/> is a defined incoming gradient (not null, with a tensor behind it).</summary>
        public static bool Defined(Tensor? gradient) => gradient is not null && !gradient.IsInvalid;

        /// <summary>Call at the start of every forward pass on <paramref name="device"/>: throws a pending failure there (<see cref="ThrowIfFailed"/>) and releases this thread's previously handed-out gradients.</summary>
        public static void BeginForward(Device device)
        {
            ThrowIfFailed(device);
            ReleasePrevious();
        }

        /// <summary>
        /// What a node of ours should take for its input <paramref name="x"/>: x itself, or a view of it when x is a leaf that
        /// requires its gradient (a benchmark's input, or an input whose gradient attributes a prediction). libtorch takes
        /// a leaf's gradient as it is only when nothing else references that tensor, and our wrapper of the gradient we hand
        /// out lives on until this thread's next call, so a leaf fed to our node directly gets a copy of its gradient (one
        /// more pass over it: about 0.1 ms for 64k x 768 float32 on an H200, 2 ms at 1M). Through a view, libtorch's view node
        /// hands the leaf a new tensor of the same memory, which it takes without a copy (we never write to what we handed out).
        /// </summary>
        public static Tensor LeafInput(Tensor x) => x.is_leaf && x.requires_grad ? x.view_as(x) : x;

        /// <summary>Releases this thread's previously handed-out gradients.</summary>
        private static void ReleasePrevious()
        {
            if (_handedOut is null)
                return;
            foreach (var t in _handedOut)
                t?.Dispose();
            _handedOut.Clear();
        }

        /// <summary>
        /// Runs <paramref name="compute"/> (the gradients, one per input of the forward pass, null where there is
        /// none) in a dispose scope, keeps the results alive for libtorch, and releases our wrapper of the incoming
        /// gradient. An exception is written to standard error with <paramref name="name"/> and kept for
        /// <see cref="ThrowIfFailed"/>; the <paramref name="inputs"/> gradients are then <paramref name="failed"/>'s where
        /// it is given and gives them (zeros of the inputs' shapes, say), else undefined.
        /// </summary>
        public static List<Tensor> Backward(string name, int inputs, Tensor gradOutput, Func<List<Tensor>> compute, Func<List<Tensor>>? failed = null)
            => Backward(name, inputs, new List<Tensor> { gradOutput }, compute, failed);

        /// <summary>As <see cref="Backward(string, int, Tensor, Func{List{Tensor}}, Func{List{Tensor}})"/> for a node with several outputs, one incoming gradient each (at least one).</summary>
        public static List<Tensor> Backward(string name, int inputs, List<Tensor> gradOutputs, Func<List<Tensor>> compute, Func<List<Tensor>>? failed = null)
        {
            long start = TraceBackwards ? Stopwatch.GetTimestamp() : 0;
            var defined = gradOutputs.Find(Defined);
            if (defined is null)
                return new List<Tensor>(new Tensor[inputs]);   // no gradient in, none out (every backward pass is linear in it)
            var device = defined.device;
            try
            {
                ReleasePrevious();
                var results = HandOut(compute);
                if (start != 0)
                {
                    long end = Stopwatch.GetTimestamp();
                    lock (TracedBackwards)
                        TracedBackwards.Add((name, start, end));
                }
                return results;
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"Hyena {name} backward failed (its gradients are left out; the trainers stop with this error): {e.Message}");
                lock (_gate)
                    _failures.TryAdd(Key(device), e);
                return StandIn(inputs, failed);
            }
            finally
            {
                foreach (var g in gradOutputs)
                    if (Defined(g))
                        g.Dispose(); // our wrappers only; libtorch keeps its own references
            }
        }

        // make's gradients, made in a dispose scope and kept alive for libtorch until this thread's next node.
        private static List<Tensor> HandOut(Func<List<Tensor>> make)
        {
            List<Tensor> results;
            using (var scope = NewDisposeScope())
            {
                results = make();
                foreach (var r in results)
                    r?.DetachFromDisposeScope();
            }
            (_handedOut ??= new List<Tensor>()).AddRange(results);
            return results;
        }

        // The gradients a failed backward pass hands back: failed's where it gives them, else undefined ones.
        private static List<Tensor> StandIn(int inputs, Func<List<Tensor>>? failed)
        {
            if (failed is not null)
            {
                try
                {
                    return HandOut(failed);
                }
                catch (Exception)
                {
                    // out of device memory again, say: undefined gradients then
                }
            }
            return new List<Tensor>(new Tensor[inputs]);
        }
    }
}
