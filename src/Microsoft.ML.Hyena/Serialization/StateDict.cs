using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML.Hyena.Serialization;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena
{
    /// <summary>
    /// A module whose state_dict, in the reference's form, lists one tensor under several names
    /// (a module reused in several places, such as the Hyena filter's shared Sin).
    /// </summary>
    public interface IHasStateDictAliases
    {
        /// <summary>Pairs of (alias, canonical name), relative to the module.</summary>
        IEnumerable<(string Alias, string Canonical)> StateDictAliases();
    }

    /// <summary>
    /// Import and export of a module's parameters and buffers under the reference's (PyTorch's)
    /// state_dict names, strict by default: a missing, unexpected or misshapen tensor is an error
    /// that names it.
    /// </summary>
    public static class StateDict
    {
        /// <summary>
        /// The module's state under PyTorch's names, shared tensors listed under each of their names
        /// (as PyTorch's state_dict lists them). The tensors are the module's own, not copies.
        /// </summary>
        public static Dictionary<string, Tensor> Export(nn.Module module)
        {
            var state = module.state_dict();
            foreach (var (alias, canonical) in Aliases(module))
                state[alias] = state[canonical];
            return state;
        }

        /// <summary>Writes the module's state to a safetensors file, with optional metadata.</summary>
        public static void Save(nn.Module module, string path, IReadOnlyDictionary<string, string>? metadata = null)
            => Safetensors.Write(path, Export(module), metadata);

        /// <summary>
        /// Copies <paramref name="source"/> into the module. With <paramref name="strict"/> (the
        /// default) every name of <see cref="Export"/> must be present, no other name may be, and
        /// every shape must match; aliases of a shared tensor must hold equal values.
        /// Values are converted to the module's dtype and device. Nothing is changed when a check fails.
        /// </summary>
        /// <param name="module">The module to load into.</param>
        /// <param name="source">Tensors by name.</param>
        /// <param name="strict">Refuse missing and unexpected names (shapes are always checked).</param>
        /// <param name="prefix">A prefix the names in <paramref name="source"/> carry (for example "op."); entries without it are ignored.</param>
        public static void Load(nn.Module module, IReadOnlyDictionary<string, Tensor> source, bool strict = true, string prefix = "")
        {
            var target = Export(module);
            var aliases = Aliases(module).ToDictionary(a => a.Alias, a => a.Canonical);
            var given = source.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
                .ToDictionary(kv => kv.Key.Substring(prefix.Length), kv => kv.Value, StringComparer.Ordinal);

            var problems = new List<string>();
            if (strict)
            {
                foreach (var name in target.Keys.Where(n => !given.ContainsKey(n)).OrderBy(n => n, StringComparer.Ordinal))
                    problems.Add($"missing tensor '{prefix}{name}' (shape [{string.Join(", ", target[name].shape)}])");
                foreach (var name in given.Keys.Where(n => !target.ContainsKey(n)).OrderBy(n => n, StringComparer.Ordinal))
                    problems.Add($"unexpected tensor '{prefix}{name}'");
            }
            foreach (var (name, tensor) in given)
            {
                if (target.TryGetValue(name, out var destination) && !destination.shape.SequenceEqual(tensor.shape))
                    problems.Add($"tensor '{prefix}{name}' has shape [{string.Join(", ", tensor.shape)}] but the module expects [{string.Join(", ", destination.shape)}]");
            }
            foreach (var (alias, canonical) in aliases)
            {
                if (given.TryGetValue(alias, out var a) && given.TryGetValue(canonical, out var c)
                    && a.shape.SequenceEqual(c.shape) && !a.to_type(ScalarType.Float64).allclose(c.to_type(ScalarType.Float64), rtol: 0, atol: 0))
                    problems.Add($"tensors '{prefix}{alias}' and '{prefix}{canonical}' are one shared parameter in this module but differ in the file");
            }
            if (problems.Count > 0)
                throw new InvalidDataException("The state dict does not fit the module: " + string.Join("; ", problems) + ".");

            using var noGrad = no_grad();
            foreach (var (name, tensor) in given)
            {
                if (target.TryGetValue(name, out var destination) && !aliases.ContainsKey(name))
                    destination.copy_(tensor.to(destination.dtype, destination.device));
            }
            HyenaOperator.ClearFilterCaches(module);   // cached filter spectra were computed from the old values
        }

        /// <summary>Reads a safetensors file into the module (see <see cref="Load(nn.Module, IReadOnlyDictionary{string, Tensor}, bool, string)"/>).</summary>
        public static void Load(nn.Module module, string path, bool strict = true, string prefix = "")
        {
            using var content = Safetensors.Read(path);
            Load(module, content.Tensors, strict, prefix);
        }

        private static IEnumerable<(string Alias, string Canonical)> Aliases(nn.Module module)
        {
            if (module is IHasStateDictAliases own)
            {
                foreach (var pair in own.StateDictAliases())
                    yield return pair;
            }
            foreach (var (path, child) in module.named_modules())
            {
                if (child is IHasStateDictAliases aliased)
                {
                    foreach (var (alias, canonical) in aliased.StateDictAliases())
                        yield return ($"{path}.{alias}", $"{path}.{canonical}");
                }
            }
        }
    }
}
