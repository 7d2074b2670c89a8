using System;
using TorchSharp;

namespace Microsoft.ML.Hyena
{
    /// <summary>
    /// Seeds libtorch's default random generators for a model that trains on a device: the CPU's (weights are made
    /// there) and, for a CUDA device, every CUDA device's (dropout draws its masks on the device it runs on).
    /// </summary>
    /// <remarks>
    /// TorchSharp's <c>torch.manual_seed</c> seeds the CPU's generator only. libtorch seeds each CUDA generator from the
    /// operating system's entropy when it is first used, so without this a CUDA training's dropout masks differ from run
    /// to run whatever the seed. The generators are process-wide: two trainings at the same time in one process draw from
    /// the same ones, and neither is then repeatable.
    /// </remarks>
    public static class RandomSeed
    {
        /// <summary>Seeds the CPU's generator and, when <paramref name="device"/> is a CUDA device, every CUDA device's.</summary>
        /// <param name="seed">The seed.</param>
        /// <param name="device">The device the model trains on.</param>
        public static void Set(long seed, torch.Device device)
        {
            if (device is null)
                throw new ArgumentNullException(nameof(device));
            torch.manual_seed(seed);
            // Only where the device is CUDA: the CUDA backend is then loaded (HyenaDevice.Resolve), and on a CPU-only
            // machine TorchSharp is not asked to look for it.
            if (device.type == DeviceType.CUDA)
                torch.cuda.manual_seed_all(seed);
        }
    }
}
