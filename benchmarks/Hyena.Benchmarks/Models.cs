using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Hyena;
using Microsoft.ML.Hyena.Kernels;
using Microsoft.ML.Hyena.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hyena.Benchmarks
{
    /// <summary>
    /// The attention baseline: qkv projection D -> 3D, causal scaled_dot_product_attention over
    /// <c>heads</c> heads (flash attention on CUDA in bfloat16), output projection D -> D. Weights in
    /// float32, computed in <see cref="ComputeDtype"/> (bfloat16 by default), like the Hyena operator's
    /// mixed precision; input and output in the residual stream's type.
    /// </summary>
    internal sealed class AttentionBlock : nn.Module<Tensor, Tensor>
    {
        private readonly Linear qkv;
        private readonly Linear proj;
        private readonly int _heads;

        public AttentionBlock(long width, int heads, ScalarType? compute) : base("attention")
        {
            if (width % heads != 0)
                throw new ArgumentException($"width {width} is not a multiple of {heads} heads");
            qkv = nn.Linear(width, 3 * width);
            proj = nn.Linear(width, width);
            _heads = heads;
            ComputeDtype = compute;
            RegisterComponents();
        }

        public ScalarType? ComputeDtype { get; set; }

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            long b = x.size(0), l = x.size(1), d = x.size(2), hd = d / _heads;
            // The projections on the positions as rows (RowLinear): their biases added inside the products, as PyTorch adds them.
            var packed = RowLinear.Apply(qkv, x, ComputeDtype).view(b, l, 3, _heads, hd).permute(2, 0, 3, 1, 4); // 3, b, H, l, hd
            var attended = nn.functional.scaled_dot_product_attention(packed[0], packed[1], packed[2], is_casual: true);
            var merged = attended.transpose(1, 2).reshape(b, l, d);
            var y = RowLinear.Apply(proj, merged, ComputeDtype);
            return scope.MoveToOuter(y.InType(x.dtype));
        }
    }

    /// <summary>A pre-norm Transformer block: x + Attention(LN(x)), x + MLP(LN(x)) with a GELU MLP, like <see cref="HyenaBlock"/>.</summary>
    internal sealed class TransformerBlock : nn.Module<Tensor, Tensor>
    {
        private readonly LayerNorm norm1;
        private readonly AttentionBlock mixer;
        private readonly LayerNorm norm2;
        private readonly FeedForward mlp;   // the Hyena block's own MLP, so that both models run the same code around their mixers

        public TransformerBlock(long width, int heads, int mlpRatio, ScalarType? compute) : base("block")
        {
            norm1 = nn.LayerNorm(width);
            mixer = new AttentionBlock(width, heads, compute);
            norm2 = nn.LayerNorm(width);
            mlp = new FeedForward(width, mlpRatio) { ComputeDtype = compute };
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            var x = input + mixer.call(LayerNormFunction.Normalize(norm1, input));
            x = x + mlp.call(LayerNormFunction.Normalize(norm2, x));
            return scope.MoveToOuter(x);
        }
    }

    /// <summary>
    /// A sequence classifier: token embedding, <c>depth</c> blocks (Hyena or Transformer), final layer
    /// norm, mean over positions, linear head. No positional embedding (the Hyena filter is positional
    /// by itself; the causal Transformer is left without one so both have the same parameters apart from
    /// the mixer).
    /// </summary>
    internal sealed class Classifier : nn.Module<Tensor, Tensor>
    {
        private readonly Embedding embedding;
        private readonly ModuleList<nn.Module<Tensor, Tensor>> blocks;
        private readonly LayerNorm norm;
        private readonly Linear head;

        public Classifier(long vocabulary, long width, int classes, IEnumerable<nn.Module<Tensor, Tensor>> blockList) : base("classifier")
        {
            embedding = nn.Embedding(vocabulary, width);
            blocks = nn.ModuleList(blockList.ToArray());
            norm = nn.LayerNorm(width);
            head = nn.Linear(width, classes);
            RegisterComponents();
        }

        /// <summary>Activation checkpointing of every block (<see cref="BlockRecomputeFunction"/>) where gradients are computed.</summary>
        public bool RecomputeBlocks { get; set; }

        public override Tensor forward(Tensor tokens)
        {
            using var scope = NewDisposeScope();
            var x = embedding.call(tokens);
            x = BlockRecomputeFunction.ApplyBlocks(blocks, x, RecomputeBlocks);
            var pooled = LayerNormFunction.Normalize(norm, x).mean(new long[] { 1 });
            return scope.MoveToOuter(head.call(pooled));
        }

        public static Classifier Hyena(long vocabulary, int width, int depth, int mlpRatio, int classes, int maxLength, int order, int filterOrder, Action<HyenaBlock> configure)
        {
            var blocks = Enumerable.Range(0, depth).Select(_ =>
            {
                var block = new HyenaBlock(new HyenaOperatorConfig { ModelDimension = width, MaxLength = maxLength, Order = order, FilterOrder = filterOrder }, mlpRatio);
                configure(block);
                return (nn.Module<Tensor, Tensor>)block;
            }).ToList();
            return new Classifier(vocabulary, width, classes, blocks);
        }

        public static Classifier Transformer(long vocabulary, int width, int depth, int mlpRatio, int classes, int heads, ScalarType? compute)
        {
            var blocks = Enumerable.Range(0, depth)
                .Select(_ => (nn.Module<Tensor, Tensor>)new TransformerBlock(width, heads, mlpRatio, compute)).ToList();
            return new Classifier(vocabulary, width, classes, blocks);
        }
    }
}
