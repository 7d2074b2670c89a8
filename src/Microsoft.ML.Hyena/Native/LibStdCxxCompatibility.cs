// This file is compiled twice: into Microsoft.ML.Hyena (HYENA_LIBRARY defined), where the runtime
// loader uses it, and by MSBuild's RoslynCodeTaskFactory from build/Hyena.NativeFix.targets, where
// the task at the end of the file patches build and publish outputs. Keep it free of other
// dependencies of the library.
using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;

namespace Microsoft.ML.Hyena.Native
{
    /// <summary>Outcome of <see cref="LibStdCxxCompatibility.MakeRequirementWeak"/>.</summary>
    internal enum WeakRequirementResult
    {
        /// <summary>The file was changed: the version requirement is now weak.</summary>
        Patched,
        /// <summary>The requirement was weak already; nothing was written.</summary>
        AlreadyWeak,
        /// <summary>The file does not require that version; nothing was written.</summary>
        NotRequired,
    }

    /// <summary>
    /// TorchSharp 0.107's libLibTorchSharp.so was linked against GCC 13's libstdc++ and requires the
    /// symbol version GLIBCXX_3.4.32, which Debian 12 and Ubuntu 22.04 lack. The one symbol bound to
    /// that version, <c>std::ios_base_library_init()</c>, is a marker that is never called, so marking
    /// the requirement weak (VER_FLG_WEAK in its Elf64_Vernaux entry) lets glibc's loader accept the
    /// library. This class detects whether the host needs that and makes the change to a file.
    /// </summary>
    internal static class LibStdCxxCompatibility
    {
        /// <summary>The symbol version that older hosts lack.</summary>
        public const string RequiredVersion = "GLIBCXX_3.4.32";

        /// <summary>The only symbol that may be bound to <see cref="RequiredVersion"/> for the change to be safe.</summary>
        public const string MarkerSymbol = "_ZSt21ios_base_library_initv";

        /// <summary>File name of TorchSharp's native bridge on Linux.</summary>
        public const string LibTorchSharpFileName = "libLibTorchSharp.so";

        private const uint ShtDynamic = 6;
        private const uint ShtDynsym = 11;
        private const uint ShtGnuVerneed = 0x6ffffffe;
        private const uint ShtGnuVersym = 0x6fffffff;
        private const ushort VerFlagWeak = 0x2;
        private const long DtNeeded = 1;

        /// <summary>
        /// True on Linux x64 when the process's libstdc++ lacks <see cref="RequiredVersion"/>, that is
        /// when TorchSharp's native library cannot load unless it is patched.
        /// </summary>
        public static bool HostNeedsPatch()
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux) || RuntimeInformation.ProcessArchitecture != Architecture.X64)
                return false;
            IntPtr handle = Dl.Open("libstdc++.so.6");
            if (handle == IntPtr.Zero)
                return false; // no libstdc++ at all: the patch would not help
            // The marker symbol was introduced together with the version node.
            return Dl.Symbol(handle, MarkerSymbol) == IntPtr.Zero;
        }

        // dlopen/dlsym through libdl.so.2, which every glibc has (a stub forwarding to libc since 2.34).
        // NativeLibrary is not available to MSBuild's inline tasks, which compile against netstandard2.0.
        // Also used by CublasLt, to find the copy libtorch loaded.
        internal static class Dl
        {
            private const int RtldLazy = 1, RtldNoLoad = 4;

            [DllImport("libdl.so.2", EntryPoint = "dlopen")]
            private static extern IntPtr DlOpen(string fileName, int flags);

            [DllImport("libdl.so.2", EntryPoint = "dlsym")]
            private static extern IntPtr DlSym(IntPtr handle, string symbol);

            public static IntPtr Open(string name) => DlOpen(name, RtldLazy);

            /// <summary>The handle of the library called name if the process has already loaded it, without loading it (RTLD_NOLOAD); else zero.</summary>
            public static IntPtr OpenLoaded(string name) => DlOpen(name, RtldLazy | RtldNoLoad);

            public static IntPtr Symbol(IntPtr handle, string name) => DlSym(handle, name);
        }

        /// <summary>True when <paramref name="path"/> has a strong requirement on <see cref="RequiredVersion"/>.</summary>
        public static bool HasStrongRequirement(string path)
        {
            byte[] image = File.ReadAllBytes(path);
            int aux = FindRequirement(image, path, out _);
            return aux >= 0 && (ReadU16(image, aux + 4) & VerFlagWeak) == 0;
        }

        /// <summary>
        /// Marks the requirement on <see cref="RequiredVersion"/> weak in the ELF file at
        /// <paramref name="path"/>, writing the result to <paramref name="destination"/> (which may be
        /// the same path; it is replaced atomically). Refuses, with an exception naming the symbol,
        /// when anything other than <see cref="MarkerSymbol"/> is bound to that version.
        /// </summary>
        public static WeakRequirementResult MakeRequirementWeak(string path, string destination)
        {
            byte[] image = File.ReadAllBytes(path);
            int aux = FindRequirement(image, path, out ushort versionIndex);
            if (aux < 0)
                return WeakRequirementResult.NotRequired;
            ushort flags = ReadU16(image, aux + 4);
            if ((flags & VerFlagWeak) != 0 && string.Equals(Path.GetFullPath(path), Path.GetFullPath(destination), StringComparison.Ordinal))
                return WeakRequirementResult.AlreadyWeak;

            foreach (string symbol in SymbolsBoundTo(image, path, versionIndex))
            {
                if (symbol != MarkerSymbol)
                    throw new InvalidDataException(
                        $"{path}: symbol '{symbol}' is bound to {RequiredVersion}; marking that version weak would not be safe.");
            }

            WriteU16(image, aux + 4, (ushort)(flags | VerFlagWeak));
            string temporary = destination + ".tmp-" + System.Diagnostics.Process.GetCurrentProcess().Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
            File.WriteAllBytes(temporary, image);
            if (File.Exists(destination))
                File.Replace(temporary, destination, null); // a rename: processes that mapped the old file keep it
            else
                File.Move(temporary, destination);
            return WeakRequirementResult.Patched;
        }

        /// <summary>The DT_NEEDED entries of an ELF file (the shared libraries it links against).</summary>
        public static IReadOnlyList<string> NeededLibraries(string path)
        {
            byte[] image = File.ReadAllBytes(path);
            var result = new List<string>();
            foreach (Section section in Sections(image, path))
            {
                if (section.Type != ShtDynamic)
                    continue;
                int strtab = Sections(image, path)[(int)section.Link].Offset;
                for (int entry = section.Offset; entry + 16 <= section.Offset + section.Size; entry += 16)
                {
                    long tag = (long)ReadU64(image, entry);
                    if (tag == 0)
                        break;
                    if (tag == DtNeeded)
                        result.Add(ReadString(image, strtab + (int)ReadU64(image, entry + 8)));
                }
            }
            return result;
        }

        // Returns the offset of the Elf64_Vernaux entry named RequiredVersion, or -1.
        private static int FindRequirement(byte[] image, string path, out ushort versionIndex)
        {
            versionIndex = 0;
            Section[] sections = Sections(image, path);
            foreach (Section section in sections)
            {
                if (section.Type != ShtGnuVerneed)
                    continue;
                int strtab = sections[(int)section.Link].Offset;
                int need = section.Offset;
                for (uint i = 0; i < section.Info; i++)
                {
                    // Elf64_Verneed: vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32
                    ushort count = ReadU16(image, need + 2);
                    int aux = need + (int)ReadU32(image, need + 8);
                    for (int j = 0; j < count; j++)
                    {
                        // Elf64_Vernaux: vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32
                        if (ReadString(image, strtab + (int)ReadU32(image, aux + 8)) == RequiredVersion)
                        {
                            versionIndex = ReadU16(image, aux + 6);
                            return aux;
                        }
                        aux += (int)ReadU32(image, aux + 12);
                    }
                    uint next = ReadU32(image, need + 12);
                    if (next == 0)
                        break;
                    need += (int)next;
                }
            }
            return -1;
        }

        private static IEnumerable<string> SymbolsBoundTo(byte[] image, string path, ushort versionIndex)
        {
            Section[] sections = Sections(image, path);
            Section? versym = null, dynsym = null;
            foreach (Section section in sections)
            {
                if (section.Type == ShtGnuVersym) versym = section;
                if (section.Type == ShtDynsym) dynsym = section;
            }
            if (versym is null || dynsym is null)
                throw new InvalidDataException($"{path}: no dynamic symbol table or version table.");
            int strtab = sections[(int)dynsym.Value.Link].Offset;
            int count = dynsym.Value.Size / 24; // sizeof(Elf64_Sym)
            var names = new List<string>();
            for (int i = 0; i < count; i++)
            {
                if ((ReadU16(image, versym.Value.Offset + 2 * i) & 0x7fff) == versionIndex)
                    names.Add(ReadString(image, strtab + (int)ReadU32(image, dynsym.Value.Offset + 24 * i)));
            }
            return names;
        }

        private readonly struct Section
        {
            public Section(uint type, int offset, int size, uint link, uint info)
            {
                Type = type; Offset = offset; Size = size; Link = link; Info = info;
            }
            public uint Type { get; }
            public int Offset { get; }
            public int Size { get; }
            public uint Link { get; }
            public uint Info { get; }
        }

        private static Section[] Sections(byte[] image, string path)
        {
            if (image.Length < 64 || image[0] != 0x7f || image[1] != (byte)'E' || image[2] != (byte)'L' || image[3] != (byte)'F')
                throw new InvalidDataException($"{path}: not an ELF file.");
            if (image[4] != 2 || image[5] != 1)
                throw new InvalidDataException($"{path}: only 64-bit little-endian ELF files are supported.");
            long shoff = (long)ReadU64(image, 0x28);
            ushort shentsize = ReadU16(image, 0x3A);
            ushort shnum = ReadU16(image, 0x3C);
            if (shoff <= 0 || shentsize < 64 || shoff + (long)shentsize * shnum > image.Length)
                throw new InvalidDataException($"{path}: truncated or missing section headers.");
            var sections = new Section[shnum];
            for (int i = 0; i < shnum; i++)
            {
                int h = (int)shoff + i * shentsize;
                ulong offset = ReadU64(image, h + 24), size = ReadU64(image, h + 32);
                uint type = ReadU32(image, h + 4);
                if (type != 8 /* SHT_NOBITS */ && offset + size > (ulong)image.Length)
                    throw new InvalidDataException($"{path}: section {i} lies outside the file.");
                sections[i] = new Section(type, (int)offset, (int)size, ReadU32(image, h + 40), ReadU32(image, h + 44));
            }
            return sections;
        }

        private static ushort ReadU16(byte[] b, int o) => (ushort)(b[o] | b[o + 1] << 8);
        private static uint ReadU32(byte[] b, int o) => (uint)(b[o] | b[o + 1] << 8 | b[o + 2] << 16 | b[o + 3] << 24);
        private static ulong ReadU64(byte[] b, int o) => ReadU32(b, o) | (ulong)ReadU32(b, o + 4) << 32;
        private static void WriteU16(byte[] b, int o, ushort v) { b[o] = (byte)v; b[o + 1] = (byte)(v >> 8); }

        private static string ReadString(byte[] b, int o)
        {
            int end = o;
            while (end < b.Length && b[end] != 0)
                end++;
            return Encoding.ASCII.GetString(b, o, end - o);
        }
    }

#if !HYENA_LIBRARY
    /// <summary>
    /// MSBuild task: patches every given libLibTorchSharp.so when the build host's libstdc++ lacks
    /// GLIBCXX_3.4.32; does nothing on other hosts.
    /// </summary>
    public sealed class PatchLibTorchSharpForHost : Microsoft.Build.Utilities.Task
    {
        /// <summary>The copies of libLibTorchSharp.so in an output folder.</summary>
        [Microsoft.Build.Framework.Required]
        public Microsoft.Build.Framework.ITaskItem[] Files { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();

        /// <inheritdoc />
        public override bool Execute()
        {
            if (Files.Length == 0 || !LibStdCxxCompatibility.HostNeedsPatch())
                return true;
            foreach (var item in Files)
            {
                string path = item.ItemSpec;
                try
                {
                    if (LibStdCxxCompatibility.MakeRequirementWeak(path, path) == WeakRequirementResult.Patched)
                        Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal,
                            $"Hyena: marked {LibStdCxxCompatibility.RequiredVersion} weak in {path} (host libstdc++ lacks it).");
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is InvalidDataException)
                {
                    Log.LogWarning($"Hyena: could not patch {path}: {e.Message}. It is retried when the application starts.");
                }
            }
            return true;
        }
    }
#endif
}
