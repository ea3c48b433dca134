namespace Udpx.Engine;

/// <summary>
/// Marks a job as a TFTP transfer rather than a udpx one (send --tftp: a write, the job's Path is read;
/// get --tftp: a read, the job's Name is asked for and stored at its Path), with the options to ask for.
/// The modes hand such a job to Tftp's client instead of the udpx engine. <see cref="Overwrite"/>
/// (get --overwrite): a complete read replaces a file already at its Path (rename(2) of the temporary
/// file over it); without it such a file is never touched.
/// </summary>
internal sealed record TftpTransferSettings(bool Read, int BlockSize, int WindowSize, bool Overwrite = false);
