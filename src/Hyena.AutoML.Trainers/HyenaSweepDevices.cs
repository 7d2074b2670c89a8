using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;

namespace Microsoft.ML.Hyena.AutoML
{
    /// <summary>The devices a Hyena sweep runs trials on, and their mapping to <see cref="HyenaDevice"/>.</summary>
    public static class HyenaSweepDevices
    {
        /// <summary>
        /// One entry per CUDA device when the CUDA backend loads (one trial per GPU), else
        /// <paramref name="cpuTrials"/> CPU entries. Pass the result to
        /// <see cref="SweepExperiment{TModel}.SetDevices(IEnumerable{SweepDevice})"/>.
        /// </summary>
        /// <param name="cpuTrials">CPU trials at once when there is no GPU; at least 1. Each CPU trial uses
        /// TorchSharp's intra-op threads, so more than one mostly helps with small models.</param>
        public static IReadOnlyList<SweepDevice> Detect(int cpuTrials = 1)
        {
            if (cpuTrials < 1)
                throw new ArgumentOutOfRangeException(nameof(cpuTrials), cpuTrials, "At least 1 CPU trial.");
            if (TorchBackend.TryInitializeCuda())
            {
                int count = torch.cuda.device_count();
                if (count > 0)
                    return Enumerable.Range(0, count).Select(SweepDevice.Cuda).ToArray();
            }
            return Enumerable.Repeat(SweepDevice.Cpu, cpuTrials).ToArray();
        }

        /// <summary>The Hyena device a sweep device names.</summary>
        public static HyenaDevice ToHyenaDevice(this SweepDevice device) => device.Kind switch
        {
            SweepDeviceKind.Cpu => HyenaDevice.Cpu,
            SweepDeviceKind.Cuda => HyenaDevice.Cuda(device.Index),
            _ => HyenaDevice.Auto,
        };
    }
}
