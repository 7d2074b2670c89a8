using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena
{
    /// <summary>
    /// The operator's inference cache of filter spectra (<see cref="HyenaOperator.CacheFilterSpectrum"/>): an entry per
    /// length, device and type, the least recently used dropped first once <see cref="Capacity"/> are held. Thread-safe:
    /// passes hold the entry they read (<see cref="Acquire"/>, <see cref="Entry.Release"/>), so an entry evicted or cleared
    /// by another thread meanwhile keeps its spectra until its last holder is done.
    /// </summary>
    internal sealed class FilterSpectrumCache
    {
        private readonly List<(Key Key, Entry Entry)> _entries = new();   // least recently used first
        private readonly object _gate = new();
        private int _capacity = 4;

        /// <summary>What an entry is cached by: the length and where and in which type its spectra are made.</summary>
        internal readonly record struct Key(long Length, DeviceType Device, int DeviceIndex, ScalarType Dtype);

        /// <summary>How many entries are kept (the least recently used is dropped first); at least 1, checked by the caller.</summary>
        public int Capacity
        {
            get => _capacity;
            set => _capacity = value;
        }

        /// <summary>Number of entries.</summary>
        public int Count
        {
            get
            {
                lock (_gate)
                    return _entries.Count;
            }
        }

        /// <summary>
        /// The entry for <paramref name="key"/>, made when missing with <paramref name="make"/> (make(kernelOrder): the
        /// spectrum in that order, outside any dispose scope; called on first use of each order), held for the caller, who
        /// releases it.
        /// </summary>
        public Entry Acquire(Key key, Func<bool, Tensor> make)
        {
            lock (_gate)
            {
                int found = _entries.FindIndex(e => e.Key == key);
                if (found >= 0)
                {
                    var hit = _entries[found];
                    _entries.RemoveAt(found);
                    _entries.Add(hit);   // most recently used last
                    return hit.Entry.Acquire();
                }
            }
            var entry = new Entry(make);
            lock (_gate)
            {
                while (_entries.Count >= _capacity)
                {
                    _entries[0].Entry.Dispose();
                    _entries.RemoveAt(0);
                }
                _entries.Add((key, entry));
                return entry.Acquire();
            }
        }

        /// <summary>Drops every entry (each frees its spectra now, or when its last holder releases it).</summary>
        public void Clear()
        {
            lock (_gate)
            {
                foreach (var (_, entry) in _entries)
                    entry.Dispose();
                _entries.Clear();
            }
        }

        /// <summary>
        /// An entry: the filter's spectrum in the order a pass asks for (bin order, or the four-step kernels' own where
        /// they run), each made on first use: a length that only the four-step kernels read keeps one spectrum, not that
        /// and a reordered copy. Passes hold it (<see cref="Acquire"/> / <see cref="Release"/>) while they use it;
        /// <see cref="Dispose"/> (the cache dropping it) frees the spectra once no pass holds it.
        /// </summary>
        internal sealed class Entry : IDisposable
        {
            private readonly object _gate = new();
            private readonly Func<bool, Tensor> _make;
            private Tensor? _binOrder, _kernelOrder;
            private int _holders;
            private bool _dropped;

            // make(kernelOrder): the spectrum in that order, outside any dispose scope.
            public Entry(Func<bool, Tensor> make) => _make = make;

            /// <summary>The spectrum in the four-step kernels' order, or in bin order; made on first use.</summary>
            public Tensor Get(bool kernelOrder)
            {
                lock (_gate)
                {
                    if (_holders == 0)
                        throw new InvalidOperationException("A cached filter spectrum was read without being held.");
                    return kernelOrder ? _kernelOrder ??= _make(true) : _binOrder ??= _make(false);
                }
            }

            /// <summary>Holds the entry for one more user; returns it.</summary>
            public Entry Acquire()
            {
                lock (_gate)
                    _holders++;
                return this;
            }

            /// <summary>Ends one user's hold; frees the spectra when the entry was dropped and this was the last holder.</summary>
            public void Release()
            {
                lock (_gate)
                {
                    _holders--;
                    if (_dropped && _holders == 0)
                        FreeSpectra();
                }
            }

            /// <summary>The cache drops the entry: its spectra are freed now, or when its last holder releases it.</summary>
            public void Dispose()
            {
                lock (_gate)
                {
                    _dropped = true;
                    if (_holders == 0)
                        FreeSpectra();
                }
            }

            private void FreeSpectra()
            {
                _binOrder?.Dispose();
                _kernelOrder?.Dispose();
                _binOrder = _kernelOrder = null;
            }
        }
    }
}
