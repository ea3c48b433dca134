Console.WriteLine("udpx");
return 0;
