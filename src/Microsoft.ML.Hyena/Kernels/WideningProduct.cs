using System;
using System.Collections.Generic;
using System.Numerics;
using Microsoft.ML.Hyena.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Kernels
{
    /// <summary>
    /// a b (+ bias) for bfloat16 <c>a</c> (n, k) or (batch, n, k) and <c>b</c> (k, m), written in float32 (plus a float32
    /// bias over m; or, without a bias, rounded to bfloat16 once) by one cuBLASLt product (<see cref="CublasLt"/>) that
    /// accumulates in float32 and adds the bias in its epilogue. Where a product in bfloat16 is then widened to a float32
    /// output (the mixed-precision operator's output projection, its input projection's gradient for a float32 input),
    /// this drops the widening pass (about 0.15 ms at 128k x 768 on an H200) and the rounding of the product to bfloat16
    /// before it; where no widening follows, it reads operands described by their sizes and strides
    /// (<see cref="StridedOperand"/>) without the library calls that would make their views. <c>a</c> and <c>b</c> are read in
    /// place where either of their last two dimensions is contiguous (a transposed view costs no copy).
    /// </summary>
    /// <remarks>
    /// cuBLAS computes the column-major D (m x n) = op(A) op(B): here D is the row-major (n, m) output, op(A) is b^T and
    /// op(B) is a^T (<see cref="Describe"/>). A product's descriptors and the algorithm cuBLASLt's heuristic picks are made
    /// once per shape, layout and alignment and kept (<see cref="MaxPlans"/>); the 32 MiB workspace and the handle once per
    /// device. On the legacy default stream, like every kernel of this library.
    /// </remarks>
    internal static unsafe class WideningProduct
    {
        /// <summary>The workspace cuBLASLt may use, per device (what libtorch gives it on Hopper).</summary>
        internal const long WorkspaceBytes = 32L << 20;

        /// <summary>At most this many products' plans are kept; past it they are all released and made again as needed.</summary>
        internal const int MaxPlans = 256;

        /// <summary>How cuBLAS reads one operand: op(X) is X (N) or X^T (T), X column-major (rows x cols) with leading dimension Leading.</summary>
        internal readonly record struct Operand(int Operation, long Rows, long Cols, long Leading);

        /// <summary>The product as cuBLAS takes it: D (m x n) = op(A) (m x k) op(B) (k x n), for Batch products with B BatchStride apart.</summary>
        internal readonly record struct Shape(long M, long N, long K, Operand A, Operand B, long Batch, long BatchStride);

        /// <summary>
        /// An operand as the product reads it: <paramref name="Data"/>'s memory with sizes and strides (elements) of its own,
        /// so that a transpose, or the one matrix of a batch of one, is described without the library call that would make
        /// that view (each costs the host about 10 us, which is what bounds the operator's backward pass below 16k).
        /// <paramref name="Type"/> is Data's type, or (<see cref="Applies(StridedOperand, StridedOperand, Tensor, ScalarType)"/>
        /// only) the type Data will have once cast.
        /// </summary>
        internal readonly record struct StridedOperand(Tensor Data, long[] Shape, long[] Strides, ScalarType Type)
        {
            /// <summary>The tensor as it is.</summary>
            public static StridedOperand Of(Tensor t) => new(t, t.shape, t.stride(), t.dtype);

            /// <summary>The last two dimensions swapped.</summary>
            public StridedOperand Transposed()
            {
                var shape = (long[])Shape.Clone();
                var strides = (long[])Strides.Clone();
                (shape[^1], shape[^2]) = (shape[^2], shape[^1]);
                (strides[^1], strides[^2]) = (strides[^2], strides[^1]);
                return this with { Shape = shape, Strides = strides };
            }

            /// <summary>The leading dimension dropped: the one matrix of a batch of one (call only where Shape[0] is 1).</summary>
            public StridedOperand Single() => this with { Shape = Shape[1..], Strides = Strides[1..] };

            /// <summary>A leading dimension of one added: a matrix as a batch of one (the product's output then has it too).</summary>
            public StridedOperand BatchOfOne() => this with { Shape = [1, .. Shape], Strides = [Shape[0] * Strides[0], .. Strides] };

            /// <summary>As it will be once cast to <paramref name="type"/>, which keeps its strides (describe only contiguous data so).</summary>
            public StridedOperand CastTo(ScalarType type) => this with { Type = type };
        }

        private sealed record Key(int Device, Shape Shape, bool Bias, int AlignA, int AlignB, int AlignD, ScalarType Output);

        private sealed class Plan
        {
            public IntPtr Desc, A, B, D;
            public CublasLt.HeuristicResult Heuristic;
        }

        private sealed class DeviceState
        {
            public IntPtr Handle;
            public Tensor Workspace = null!;
        }

        private static readonly object _gate = new();
        private static readonly Dictionary<Key, Plan?> _plans = new();
        private static readonly Dictionary<int, DeviceState> _devices = new();

        /// <summary>
        /// How cuBLAS reads <c>a</c> ([batch,] n, k) as op(B) and <c>b</c> (k, m) as op(A) from
        /// their sizes and strides (elements), or null when a layout is not one it reads in place (neither of the last two
        /// dimensions contiguous, a leading dimension too small, or a batch of a whose stride does not step).
        /// </summary>
        internal static Shape? Describe(long[] aShape, long[] aStrides, long[] bShape, long[] bStrides)
        {
            if (bShape.Length != 2 || aShape.Length < 2 || aShape.Length > 3 || aShape[^1] != bShape[0])
                return null;
            long n = aShape[^2], k = aShape[^1], m = bShape[1];
            if (n < 1 || k < 1 || m < 1)
                return null;
            // op(A) = b^T (m x k): b[j, i] at j s0 + i s1.
            Operand opA;
            if (bStrides[1] == 1 && bStrides[0] >= m)
                opA = new Operand(CublasLt.OperationN, m, k, bStrides[0]);          // column-major (m x k)
            else if (bStrides[0] == 1 && bStrides[1] >= k)
                opA = new Operand(CublasLt.OperationT, k, m, bStrides[1]);          // column-major (k x m), transposed
            else
                return null;
            // op(B) = a^T (k x n) for each batch: a[j, i] at j s1 + i s2.
            long sRow = aStrides[^2], sCol = aStrides[^1];
            Operand opB;
            if (sCol == 1 && sRow >= k)
                opB = new Operand(CublasLt.OperationN, k, n, sRow);                 // column-major (k x n)
            else if (sRow == 1 && sCol >= n)
                opB = new Operand(CublasLt.OperationT, n, k, sCol);                 // column-major (n x k), transposed
            else
                return null;
            long batch = aShape.Length == 3 ? aShape[0] : 1, batchStride = aShape.Length == 3 ? aStrides[0] : 0;
            if (batch < 1 || batch > int.MaxValue || (batch > 1 && batchStride < 1))
                return null;
            return new Shape(m, n, k, opA, opB, batch, batch > 1 ? batchStride : 0);
        }

        /// <summary>
        /// Whether <see cref="TryProduct(Tensor, Tensor, Tensor)"/> may take the call: a and b bfloat16 on one CUDA device with
        /// the library's kernels ready there, a bias (if any) float32, contiguous, of b's last size on that device, cuBLASLt
        /// loaded, and layouts <see cref="Describe"/> takes.
        /// </summary>
        public static bool Applies(Tensor a, Tensor b, Tensor? bias) => Applies(StridedOperand.Of(a), StridedOperand.Of(b), bias, ScalarType.Float32);

        /// <summary>As <see cref="Applies(Tensor, Tensor, Tensor)"/> for described operands and an output of <paramref name="outputType"/> (float32, or bfloat16 without a bias).</summary>
        public static bool Applies(StridedOperand a, StridedOperand b, Tensor? bias, ScalarType outputType) => Usable(a, b, bias, outputType) is not null;

        // The product's description where Applies holds, else null (one reading of the sizes and strides for both callers).
        private static Shape? Usable(StridedOperand a, StridedOperand b, Tensor? bias, ScalarType outputType)
        {
            if (a.Type != ScalarType.BFloat16 || b.Type != ScalarType.BFloat16 || a.Data.device_type != DeviceType.CUDA
                || b.Data.device_type != DeviceType.CUDA || b.Data.device_index != a.Data.device_index)
                return null;
            if (outputType != ScalarType.Float32 && (outputType != ScalarType.BFloat16 || bias is not null))
                return null;
            if (bias is not null && !(bias.dtype == ScalarType.Float32 && bias.dim() == 1 && b.Shape.Length == 2 && bias.size(0) == b.Shape[1]
                                      && bias.is_contiguous() && bias.device_type == DeviceType.CUDA && bias.device_index == a.Data.device_index))
                return null;
            var shape = Describe(a.Shape, a.Strides, b.Shape, b.Strides);
            return shape is not null && CudaKernels.TryEnsure(CudaKernels.DeviceIndex(a.Data)) && CublasLt.TryLoad() ? shape : null;
        }

        /// <summary>
        /// a b (+ bias) in float32, shaped a's leading sizes by m, contiguous; null where it does not apply
        /// (<see cref="Applies(Tensor, Tensor, Tensor)"/>) or cuBLASLt has no algorithm for the product (the caller then
        /// composes library calls). Not an autograd node.
        /// </summary>
        public static Tensor? TryProduct(Tensor a, Tensor b, Tensor? bias) => TryProduct(StridedOperand.Of(a), StridedOperand.Of(b), bias);

        /// <summary>
        /// As <see cref="TryProduct(Tensor, Tensor, Tensor)"/> for described operands (of their data's own type), written in
        /// <paramref name="outputType"/>: float32, or bfloat16 (rounded once from the float32 accumulation) without a bias.
        /// </summary>
        public static Tensor? TryProduct(StridedOperand a, StridedOperand b, Tensor? bias, ScalarType outputType = ScalarType.Float32)
        {
            if (a.Type != a.Data.dtype || b.Type != b.Data.dtype)
                throw new ArgumentException("A described operand of the product must be of its data's own type.");
            if (Usable(a, b, bias, outputType) is not Shape shape)
                return null;
            int device = CudaKernels.DeviceIndex(a.Data);
            IntPtr pa = CudaKernels.DataPointer(a.Data), pb = CudaKernels.DataPointer(b.Data);
            var outShape = (long[])a.Shape.Clone();
            outShape[^1] = shape.M;
            var output = empty(outShape, outputType, a.Data.device);
            if (output.numel() == 0)
                return output;
            IntPtr pd = CudaKernels.DataPointer(output), pbias = bias is null ? IntPtr.Zero : CudaKernels.DataPointer(bias);
            // cuBLAS's A is b and its B is a (see the remarks).
            var key = new Key(device, shape, bias is not null, Alignment(pb), Alignment(pa), Alignment(pd), outputType);
            lock (_gate)
            {
                var state = State(device);
                var plan = PlanFor(key, state);
                if (plan is null)
                {
                    output.Dispose();
                    return null;
                }
                if (bias is not null)
                    CublasLt.Check(CublasLt.MatmulDescSetAttribute(plan.Desc, CublasLt.DescBiasPointer, &pbias, (nuint)sizeof(IntPtr)), "setting the bias");
                float alpha = 1f, beta = 0f;
                CudaKernels.MakeCurrent(device);
                fixed (ulong* algorithm = plan.Heuristic.Algorithm)
                {
                    CublasLt.Check(CublasLt.Matmul(state.Handle, plan.Desc, &alpha, pb, plan.A, pa, plan.B, &beta, pd, plan.D, pd, plan.D,
                        algorithm, CudaKernels.DataPointer(state.Workspace), (nuint)WorkspaceBytes, IntPtr.Zero),
                        $"the product ({shape.M} x {shape.K}) by ({shape.K} x {shape.N}), {shape.Batch} of them");
                }
            }
            return output;
        }

        // The largest power of two (at most 256) dividing the address: the alignment the heuristic is told, so that it does
        // not pick an algorithm that needs more (its default assumption is 256 bytes).
        private static int Alignment(IntPtr pointer)
        {
            ulong address = (ulong)pointer;
            return address == 0 ? 256 : (int)Math.Min(256UL, 1UL << BitOperations.TrailingZeroCount(address));
        }

        private static DeviceState State(int device)
        {
            if (_devices.TryGetValue(device, out var state))
                return state;
            CudaKernels.MakeCurrent(device);
            IntPtr handle;
            CublasLt.Check(CublasLt.Create(&handle), "cublasLtCreate");
            state = new DeviceState
            {
                Handle = handle,
                Workspace = empty(WorkspaceBytes, ScalarType.Byte, new Device(DeviceType.CUDA, device)).DetachFromDisposeScope(),
            };
            _devices[device] = state;
            return state;
        }

        private static Plan? PlanFor(Key key, DeviceState state)
        {
            if (_plans.TryGetValue(key, out var known))
                return known;
            if (_plans.Count >= MaxPlans)
            {
                foreach (var old in _plans.Values)
                    Release(old);
                _plans.Clear();
            }
            var plan = new Plan();
            try
            {
                var s = key.Shape;
                IntPtr desc;
                CublasLt.Check(CublasLt.MatmulDescCreate(&desc, CublasLt.ComputeFloat32, CublasLt.DataFloat32), "cublasLtMatmulDescCreate");
                plan.Desc = desc;
                SetDesc(desc, CublasLt.DescTransA, s.A.Operation);
                SetDesc(desc, CublasLt.DescTransB, s.B.Operation);
                uint epilogue = key.Bias ? CublasLt.EpilogueBias : CublasLt.EpilogueDefault;
                CublasLt.Check(CublasLt.MatmulDescSetAttribute(desc, CublasLt.DescEpilogue, &epilogue, sizeof(uint)), "setting the epilogue");
                if (key.Bias)
                    SetDesc(desc, CublasLt.DescBiasDataType, CublasLt.DataFloat32);
                plan.A = Layout(CublasLt.DataBFloat16, s.A, s.Batch, 0);                         // b, the same for every batch
                plan.B = Layout(CublasLt.DataBFloat16, s.B, s.Batch, s.BatchStride);             // a
                int outputType = key.Output == ScalarType.BFloat16 ? CublasLt.DataBFloat16 : CublasLt.DataFloat32;
                plan.D = Layout(outputType, new Operand(CublasLt.OperationN, s.M, s.N, s.M), s.Batch, s.M * s.N);
                IntPtr preference;
                CublasLt.Check(CublasLt.PreferenceCreate(&preference), "cublasLtMatmulPreferenceCreate");
                try
                {
                    ulong workspace = WorkspaceBytes;
                    CublasLt.Check(CublasLt.PreferenceSetAttribute(preference, CublasLt.PreferenceMaxWorkspaceBytes, &workspace, sizeof(ulong)), "setting the workspace");
                    uint[] alignments = { (uint)key.AlignA, (uint)key.AlignB, (uint)key.AlignD, (uint)key.AlignD };   // A, B, C (= D), D
                    for (int i = 0; i < alignments.Length; i++)
                    {
                        uint value = alignments[i];
                        CublasLt.Check(CublasLt.PreferenceSetAttribute(preference, CublasLt.PreferenceMinAlignmentA + i, &value, sizeof(uint)), "setting an alignment");
                    }
                    CublasLt.HeuristicResult result;
                    int count = 0;
                    int status = CublasLt.AlgoGetHeuristic(state.Handle, desc, plan.A, plan.B, plan.D, plan.D, preference, 1, &result, &count);
                    if (status != 0 || count < 1 || result.State != 0)
                    {
                        Release(plan);
                        _plans[key] = null;                                                           // no algorithm: library calls
                        return null;
                    }
                    plan.Heuristic = result;
                }
                finally
                {
                    CublasLt.PreferenceDestroy(preference);
                }
            }
            catch
            {
                Release(plan);
                throw;
            }
            _plans[key] = plan;
            return plan;
        }

        private static void SetDesc(IntPtr desc, int attribute, int value)
            => CublasLt.Check(CublasLt.MatmulDescSetAttribute(desc, attribute, &value, sizeof(int)), "cublasLtMatmulDescSetAttribute " + attribute);

        private static IntPtr Layout(int type, Operand operand, long batch, long batchStride)
        {
            IntPtr layout;
            CublasLt.Check(CublasLt.MatrixLayoutCreate(&layout, type, (ulong)operand.Rows, (ulong)operand.Cols, operand.Leading), "cublasLtMatrixLayoutCreate");
            if (batch > 1)                                                                       // a stride of 0 repeats the matrix
            {
                int count = (int)batch;
                CublasLt.Check(CublasLt.MatrixLayoutSetAttribute(layout, CublasLt.LayoutBatchCount, &count, sizeof(int)), "setting the batch");
                CublasLt.Check(CublasLt.MatrixLayoutSetAttribute(layout, CublasLt.LayoutStridedBatchOffset, &batchStride, sizeof(long)), "setting the batch stride");
            }
            return layout;
        }

        private static void Release(Plan? plan)
        {
            if (plan is null)
                return;
            if (plan.Desc != IntPtr.Zero) CublasLt.MatmulDescDestroy(plan.Desc);
            if (plan.A != IntPtr.Zero) CublasLt.MatrixLayoutDestroy(plan.A);
            if (plan.B != IntPtr.Zero) CublasLt.MatrixLayoutDestroy(plan.B);
            if (plan.D != IntPtr.Zero) CublasLt.MatrixLayoutDestroy(plan.D);
        }
    }
}
