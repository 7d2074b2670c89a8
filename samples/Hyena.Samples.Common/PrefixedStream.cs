using System;
using System.IO;

namespace Hyena.Samples
{
    /// <summary>A read-only, forward-only stream that yields a few bytes already read, then the rest of an inner stream.</summary>
    internal sealed class PrefixedStream : Stream
    {
        private readonly byte[] _prefix;
        private readonly Stream _inner;
        private int _prefixPosition;

        /// <summary>Creates the stream.</summary>
        /// <param name="prefix">The bytes to yield first.</param>
        /// <param name="inner">The stream that follows them; it is not closed.</param>
        public PrefixedStream(byte[] prefix, Stream inner)
        {
            _prefix = prefix ?? throw new ArgumentNullException(nameof(prefix));
            _inner = inner ?? throw new ArgumentNullException(nameof(inner));
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (buffer.IsEmpty)
                return 0;
            if (_prefixPosition < _prefix.Length)
            {
                int n = Math.Min(buffer.Length, _prefix.Length - _prefixPosition);
                _prefix.AsSpan(_prefixPosition, n).CopyTo(buffer);
                _prefixPosition += n;
                return n;
            }

            return _inner.Read(buffer);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
